/** uWebSockets.js adapter: /probe frames in, /api/live out, HTTP routes and the UI bundle. Moves bytes only. */
import type * as uWS from 'uWebSockets.js';
import { createRequire } from 'node:module';

/** uws loads uWebSockets.js on first use, so that a process that is only a probe never maps the
 * merger's native library (about 5 MB resident). */
let loaded: typeof uWS | undefined;
const uws = (): typeof uWS => (loaded ??= createRequire(import.meta.url)('uWebSockets.js') as typeof uWS);
import type { StaticFile } from './static-files.js';
import { PROBE_ID_HEADER } from '../protocol/messages.js';
import type { ApiResponse } from './api.js';
import type { LoginRequest } from './login.js';
import { TokenBucket } from '../shared/token-bucket.js';

/** ServerHandlers are what the merger does with what arrives. */
export interface ServerHandlers {
  /** frame is called synchronously with a view that is only valid during the call. */
  frame(connectionId: number, bytes: Uint8Array): void;
  /** authorized says whether a request of the UI or API may be answered. */
  authorized(cred: Credentials): boolean;
  /** probeUpgrade decides on a probe's upgrade request before any frame: undefined lets it in, else the
   * HTTP status and the reason it gets. */
  probeUpgrade(probeId: string | undefined, authorization: string, peer: string): { status: number; reason: string } | undefined;
  /** probeOpened: a probe connected, with the id its upgrade request named (if any). */
  probeOpened(connectionId: number, probeId: string | undefined): void;
  probeClosed(connectionId: number, code: number, reason: string): void;
  http(path: string, query: string): Promise<ApiResponse | undefined>;
  /** login answers LOGIN_PATH, the one route open to anyone. */
  login(r: LoginRequest): Promise<ApiResponse>;
  staticFiles: Map<string, StaticFile>;
}

/** ServerOptions bound what one connection may send. */
export interface ServerOptions {
  host: string;
  port: number;
  maxFrameBytes: number;
  maxLiveBackpressure: number; // A browser this far behind is closed (it reconnects and backfills) rather than grow memory.
  maxProbeFramesPerSecond: number; // With two seconds of burst; over it a probe connection is closed (1008), counted.
  tls?: { certFile: string; keyFile: string }; // HTTPS and wss:// for the UI, the API and the probes.
}

/** LOGIN_PATH is the one route open to anyone: it signs in and sets the session cookie. */
export const LOGIN_PATH = '/login';

/** Credentials are what a request may carry to prove it may read: an Authorization header, cookies. */
export interface Credentials {
  authorization: string;
  cookie: string;
}

const credentials = (req: uWS.HttpRequest): Credentials => ({ authorization: req.getHeader('authorization'), cookie: req.getHeader('cookie') });

type ProbeData = { id: number; probeId?: string; frames: TokenBucket };

/** MergerServer owns the uWS app and its listen socket. */
export class MergerServer {
  private _app?: uWS.TemplatedApp;
  private _listen?: uWS.us_listen_socket;
  private _nextId = 1;
  private readonly _probes = new Map<number, uWS.WebSocket<ProbeData>>();
  private readonly _live = new Set<uWS.WebSocket<object>>();
  /** What the limits did: probe connections closed for their frame rate, browsers closed for being too slow. */
  readonly counts = { probesOverRate: 0, liveClientsDropped: 0 };

  constructor(readonly options: ServerOptions, private readonly _h: ServerHandlers) {}

  /** start listens; resolves to the bound port. */
  start(): Promise<number> {
    const tls = this.options.tls;
    const app = tls ? uws().SSLApp({ cert_file_name: tls.certFile, key_file_name: tls.keyFile }) : uws().App();
    this._app = app;
    app.ws<ProbeData>('/probe', {
      // Probes deflate their frames (permessage-deflate, each message on its own: the shared decompressor
      // keeps no window per connection); maxPayloadLength bounds what a message inflates to.
      compression: uws().SHARED_DECOMPRESSOR,
      maxPayloadLength: this.options.maxFrameBytes,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        let probeId: string | undefined;
        try {
          probeId = decodeURIComponent(req.getHeader(PROBE_ID_HEADER)) || undefined;
        } catch {
          probeId = undefined; // Not URI-encoded text: the probe is known by its first frame instead.
        }
        const refusal = this._h.probeUpgrade(probeId, req.getHeader('authorization'), Buffer.from(res.getRemoteAddressAsText()).toString());
        if (refusal) {
          refuse(res, refusal.status, `${refusal.reason}\n`);
          return;
        }
        const rate = this.options.maxProbeFramesPerSecond;
        const data: ProbeData = { id: this._nextId++, probeId, frames: new TokenBucket(rate, 2 * rate, Date.now()) };
        res.upgrade(data, req.getHeader('sec-websocket-key'),
          req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
      },
      open: (ws) => {
        const { id, probeId } = ws.getUserData();
        this._probes.set(id, ws);
        this._h.probeOpened(id, probeId);
      },
      message: (ws, message, isBinary) => {
        const { id, frames } = ws.getUserData();
        if (!isBinary) return this.closeProbe(id, 1003, 'frames are binary');
        if (!frames.take(Date.now())) {
          // The frame is not read: the probe keeps it unacknowledged and sends it again, paced (UplinkOptions).
          this.counts.probesOverRate++;
          return this.closeProbe(id, 1008, `over ${frames.perSecond} frames per second`);
        }
        this._h.frame(id, new Uint8Array(message));
      },
      close: (ws, code, message) => {
        const id = ws.getUserData().id;
        this._probes.delete(id);
        this._h.probeClosed(id, code, Buffer.from(message).toString('utf8'));
      },
    });
    app.ws<object>('/api/live', {
      upgrade: (res, req, context) => {
        if (!sameOrigin(req)) {
          // A page of another origin (another port of this host counts) must not read the live feed with the
          // analyst's cookie: WebSockets are not bound by CORS, so the upgrade checks Origin itself.
          refuse(res, 403, 'another origin may not read the live feed\n');
          return;
        }
        if (!this._h.authorized(credentials(req))) {
          refuse(res, 401, 'an access token is required\n');
          return;
        }
        res.upgrade({}, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
      },
      compression: uws().SHARED_COMPRESSOR,
      maxPayloadLength: 4096,
      maxBackpressure: this.options.maxLiveBackpressure,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      open: (ws) => { this._live.add(ws); },
      close: (ws) => { this._live.delete(ws); },
    });
    app.any('/*', (res, req) => {
      const method = req.getMethod(), path = req.getUrl();
      const post = method === 'post' && path === LOGIN_PATH, head = method === 'head';
      if (method !== 'get' && !head && !post) {
        const allow = path === LOGIN_PATH ? 'GET, HEAD, POST' : 'GET, HEAD';
        refuse(res, 405, JSON.stringify({ error: `${method.toUpperCase().slice(0, 16)} is not allowed here: ${allow}` }), 'application/json', { allow });
        return;
      }
      const query = req.getQuery() ?? '';
      const cred = credentials(req);
      if (post && !sameOrigin(req)) {
        refuse(res, 403, JSON.stringify({ error: 'a sign-in form from another origin' }), 'application/json');
        return;
      }
      const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
      let aborted = false;
      res.onAborted(() => { aborted = true; }); // The answer may come after the client left.
      const answer = (body: string | undefined): Promise<ApiResponse & { cacheable?: boolean }> =>
        body === undefined ? Promise.resolve({ status: 413, body: `at most ${MAX_FORM_BYTES} bytes\n`, contentType: 'text/plain' })
          : path === LOGIN_PATH ? this._h.login({ method: post ? 'post' : head ? 'head' : 'get', query, body, cred, peer }) : this._answer(path, query, cred);
      const failed = (err: unknown) => ({ status: 500, body: JSON.stringify({ error: String(err) }), contentType: 'application/json' });
      void (post ? readBody(res) : Promise.resolve('')).then(answer).catch(failed).then((r: ApiResponse & { cacheable?: boolean }) => {
        if (aborted) return;
        res.cork(() => {
          res.writeStatus(statusLine(r.status));
          if (r.contentType) res.writeHeader('content-type', r.contentType);
          // A header value never carries CR or LF: nothing a request put into one can split the response.
          for (const [k, v] of Object.entries(r.headers ?? {})) res.writeHeader(k, v.replace(/[\r\n]/g, ''));
          if (!r.cacheable) res.writeHeader('cache-control', 'no-store');
          if (head) res.endWithoutBody(typeof r.body === 'string' ? Buffer.byteLength(r.body) : r.body.byteLength);
          else res.end(r.body);
        });
      });
    });
    return new Promise((resolve, reject) => {
      // Exclusive: uWS would otherwise share a port that another process already listens on (SO_REUSEPORT).
      const listen = app.listen as unknown as (host: string, port: number, options: number, cb: (s: uWS.us_listen_socket | false) => void) => void;
      listen.call(app, this.options.host, this.options.port, 1 /* LIBUS_LISTEN_EXCLUSIVE_PORT */, (socket) => {
        if (!socket) return reject(new Error(`cannot listen on http ${this.options.host}:${this.options.port} (address in use, or not an address of this machine)`));
        this._listen = socket;
        resolve(uws().us_socket_local_port(socket as unknown as uWS.us_socket));
      });
    });
  }

  /** _answer runs a route, or finds a static file; it never rejects. */
  private async _answer(path: string, query: string, cred: Credentials): Promise<ApiResponse & { cacheable?: boolean }> {
    if (!this._h.authorized(cred)) {
      if (path.startsWith('/api/') || path === '/metrics') {
        return { status: 401, body: JSON.stringify({ error: `sign in first: a Bearer authorization header with the access token, or the session cookie ${LOGIN_PATH} sets` }), contentType: 'application/json' };
      }
      // A page: sign in, then come back to the same URL.
      return { status: 303, body: '', headers: { location: `${LOGIN_PATH}?next=${encodeURIComponent(path + (query ? `?${query}` : ''))}` } };
    }
    let response: ApiResponse | undefined;
    try {
      response = await this._h.http(path, query);
    } catch (err) {
      return { status: 500, body: JSON.stringify({ error: String(err) }), contentType: 'application/json' };
    }
    if (response) return response;
    // The UI's own paths get its page (it routes them); anything else is not found.
    const file = this._h.staticFiles.get(path) ?? (/^\/(?:(?:map|host|health)(?:\/|$)|$)/.test(path) ? this._h.staticFiles.get('/') : undefined);
    if (file) return { status: 200, body: file.body, contentType: file.contentType, cacheable: true };
    return path.startsWith('/api/') || this._h.staticFiles.size > 0
      ? { status: 404, body: JSON.stringify({ error: `no route ${path}` }), contentType: 'application/json' }
      : { status: 404, body: 'the web UI is not built: run `npm run build:web`', contentType: 'text/plain' };
  }

  get liveClients(): number {
    return this._live.size;
  }

  /** publishLive sends one message to every browser on /api/live; one that has fallen maxLiveBackpressure
   * behind is closed (1013), counted: it reconnects and backfills from the API rather than grow our memory. */
  publishLive(message: string): void {
    for (const ws of this._live) {
      if (ws.send(message, false, true) === 2) {
        this.counts.liveClientsDropped++;
        this._live.delete(ws);
        ws.end(1013, 'too slow: live windows were dropped for this connection');
      }
    }
  }

  /** sendToProbe sends one binary message to a probe connection (acknowledgements: a few bytes each);
   * false if uWS dropped it for the connection's backpressure. */
  sendToProbe(id: number, bytes: Uint8Array): boolean {
    const ws = this._probes.get(id);
    return ws === undefined || ws.send(bytes, true) !== 2; // 2: DROPPED.
  }

  /** closeProbe ends one probe connection with a code and a reason the probe logs. */
  closeProbe(id: number, code: number, reason: string): void {
    this._probes.get(id)?.end(code, reason);
  }

  /** stop closes the listen socket and every connection. */
  stop(): void {
    if (this._listen) uws().us_listen_socket_close(this._listen);
    this._listen = undefined;
    for (const ws of [...this._probes.values()]) ws.end(1001, 'merger stopping');
    this._app = undefined;
  }
}

const MAX_FORM_BYTES = 8192;

/** refuse answers a request at once, before any routing: an upgrade refused, a method or origin not allowed. */
function refuse(res: uWS.HttpResponse, status: number, body: string, contentType = 'text/plain', headers: Record<string, string> = {}): void {
  res.cork(() => {
    res.writeStatus(statusLine(status)).writeHeader('content-type', contentType);
    for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
    res.end(body);
  });
}

/** sameOrigin: a request without Origin (not from a browser page) or whose Origin is this host and port. */
function sameOrigin(req: uWS.HttpRequest): boolean {
  const origin = req.getHeader('origin');
  if (origin === '') return true;
  try {
    return new URL(origin).host === req.getHeader('host');
  } catch {
    return false;
  }
}

/** readBody collects a request body of at most MAX_FORM_BYTES; undefined if it is longer. */
function readBody(res: uWS.HttpResponse): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    res.onData((chunk, isLast) => {
      length += chunk.byteLength;
      if (length <= MAX_FORM_BYTES) chunks.push(Buffer.from(chunk.slice(0))); // uWS reuses chunk after the call.
      if (isLast) resolve(length <= MAX_FORM_BYTES ? Buffer.concat(chunks).toString('utf8') : undefined);
    });
  });
}

function statusLine(status: number): string {
  const text: Record<number, string> = {
    200: 'OK', 204: 'No Content', 302: 'Found', 303: 'See Other', 400: 'Bad Request', 413: 'Content Too Large', 429: 'Too Many Requests', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 409: 'Conflict', 500: 'Internal Server Error', 503: 'Service Unavailable',
  };
  return `${status} ${text[status] ?? ''}`.trim();
}
