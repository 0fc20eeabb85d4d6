// Lit reactive controller owning the live WebSocket to the merger, with reconnect backoff and latest-window fetch.
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { parseWindowMessage, type WindowMessage } from '../api.js';

/**
 * `connecting`: first attempt, never connected yet; `open`: the socket is up; `retrying`: the socket is
 * down (or never came up) and a reconnect is scheduled or in progress.
 */
export type ConnectionState = 'connecting' | 'open' | 'retrying';

/** The subset of the browser WebSocket the controller uses, so tests can pass a fake. */
export interface WebSocketLike {
  onopen: ((ev: Event) => unknown) | null;
  onmessage: ((ev: MessageEvent) => unknown) | null;
  onclose: ((ev: CloseEvent) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  close(code?: number, reason?: string): void;
}

/** Options; every field has a browser default and exists for tests and for serving under another origin. */
export interface MergerConnectionOptions {
  /** WebSocket URL of the live feed; default `/api/live` on the page's host, ws: or wss: as the page. */
  liveUrl?: string;
  /** URL of the latest complete window; default `/api/live/latest` on the page's origin. */
  latestUrl?: string;
  /** WebSocket constructor; default the global `WebSocket`. */
  createSocket?: (url: string) => WebSocketLike;
  /** fetch implementation; default the global `fetch`. */
  fetch?: typeof fetch;
  /** Random source in [0, 1) for backoff jitter; default `Math.random`. */
  random?: () => number;
  /** First reconnect delay, ms (default 1000); doubles per failed attempt up to `maxDelayMs`. */
  minDelayMs?: number;
  /** Longest reconnect delay, ms (default 30000). */
  maxDelayMs?: number;
}

/**
 * Reconnect delay before attempt `attempt` (0-based): `min` doubled per attempt, capped at `max`, with
 * ±20 % jitter so that many browsers do not reconnect in lockstep after a merger restart; never above `max`.
 */
export function backoffDelay(attempt: number, random: number, min = 1000, max = 30_000): number {
  const base = Math.min(max, min * 2 ** Math.max(0, attempt));
  return Math.min(max, Math.round(base * (0.8 + 0.4 * random)));
}

function defaultLiveUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/live`;
}

/**
 * Keeps one WebSocket open to the merger's live feed while its host element is connected.
 *
 * Exposes the latest complete window (`latest`) and the connection state (`state`), and calls
 * `host.requestUpdate()` whenever either changes. On every (re)connect it also fetches
 * `GET /api/live/latest`, so that the page fills at once instead of waiting up to one window; a fetched
 * window older than the one already shown is ignored. A closed or failed socket is retried after
 * {@link backoffDelay}: 1 s, doubling to 30 s, with jitter.
 */
export class MergerConnectionController implements ReactiveController {
  /** The latest complete window received, kept across reconnects; null until the first one arrives. */
  latest: WindowMessage | null = null;
  /** Connection state of the live socket. */
  state: ConnectionState = 'connecting';
  /** Epoch ms of the next reconnect attempt while `state` is `retrying` and one is scheduled, else null. */
  retryAt: number | null = null;

  private readonly host: ReactiveControllerHost;
  private readonly options: MergerConnectionOptions;
  private socket: WebSocketLike | null = null;
  private fetchAbort: AbortController | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private running = false;

  constructor(host: ReactiveControllerHost, options: MergerConnectionOptions = {}) {
    this.host = host;
    this.options = options;
    host.addController(this);
  }

  hostConnected(): void {
    if (this.running) return;
    this.running = true;
    this.connect();
  }

  hostDisconnected(): void {
    this.running = false;
    this.clearRetry();
    this.teardownSocket();
  }

  /** Skips the remaining backoff delay and reconnects now (no-op while open or stopped). */
  retryNow(): void {
    if (!this.running || this.state === 'open' || this.retryTimer === null) return;
    this.clearRetry();
    this.connect();
  }

  private connect(): void {
    const url = this.options.liveUrl ?? defaultLiveUrl();
    let socket: WebSocketLike;
    try {
      socket = this.options.createSocket ? this.options.createSocket(url) : new WebSocket(url);
    } catch (err) {
      console.warn('hostflow: cannot open live socket', err);
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.setState('open');
      void this.fetchLatest(socket);
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.accept(ev.data, true);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.teardownSocket();
      if (this.running) this.scheduleRetry();
    };
    // An error is always followed by close, which does the work.
    socket.onerror = () => undefined;
  }

  private async fetchLatest(socket: WebSocketLike): Promise<void> {
    const fetchImpl = this.options.fetch ?? globalThis.fetch.bind(globalThis);
    const url = this.options.latestUrl ?? new URL('/api/live/latest', location.href).href;
    const abort = new AbortController();
    this.fetchAbort = abort;
    try {
      const res = await fetchImpl(url, {
        signal: abort.signal,
        cache: 'no-store',
        headers: { accept: 'application/json' },
      });
      if (this.socket !== socket) return;
      if (res.status === 204) return; // no complete window yet; the live feed will bring the first one
      if (!res.ok) {
        console.warn(`hostflow: ${url} answered ${res.status}`);
        return;
      }
      const text = await res.text();
      if (this.socket !== socket) return;
      this.accept(text, false);
    } catch (err) {
      if (!abort.signal.aborted) console.warn('hostflow: cannot fetch the latest window', err);
    } finally {
      if (this.fetchAbort === abort) this.fetchAbort = null;
    }
  }

  /**
   * Takes a window from the live feed (always: the socket's order is the merger's order) or from the
   * latest-window fetch (only if it is not older than the one already shown, since a live message may
   * have overtaken it).
   */
  private accept(data: unknown, live: boolean): void {
    if (typeof data !== 'string') return;
    let decoded: unknown;
    try {
      decoded = JSON.parse(data);
    } catch {
      console.warn('hostflow: ignoring a live message that is not JSON');
      return;
    }
    const message = parseWindowMessage(decoded);
    if (!message) {
      console.warn('hostflow: ignoring a message that is not a valid window', decoded);
      return;
    }
    if (!live && this.latest && message.start < this.latest.start) return;
    this.latest = message;
    this.host.requestUpdate();
  }

  private scheduleRetry(): void {
    const delay = backoffDelay(
      this.attempt,
      (this.options.random ?? Math.random)(),
      this.options.minDelayMs,
      this.options.maxDelayMs,
    );
    this.attempt += 1;
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.retryAt = null;
      if (this.running) this.connect();
    }, delay);
    this.setState('retrying');
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAt = null;
  }

  private teardownSocket(): void {
    this.fetchAbort?.abort();
    this.fetchAbort = null;
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(1000);
    } catch {
      // already closed
    }
  }

  /** Sets the state and always notifies the host, since `retryAt` may have changed with it. */
  private setState(state: ConnectionState): void {
    this.state = state;
    this.host.requestUpdate();
  }
}
