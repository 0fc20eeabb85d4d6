/** IPFIX over TCP (RFC 7011 10.4): length-delimited messages on a stream, one exporter per connection. */
import net from 'node:net';

/** TcpInputOptions say where to listen and bound what connections may hold. */
export interface TcpInputOptions {
  host: string;
  port: number;
  maxConnections: number;
  idleTimeoutMs: number; // A session silent this long is closed.
}

/** TcpInputStats count connections and what framing refused. */
export interface TcpInputStats {
  connections: number; // Open now.
  accepted: number;
  refused: number; // Over maxConnections.
  messages: number;
  framingErrors: number; // Not IPFIX, or a length below a header: the stream cannot be followed, so it is closed.
}

const MAX_MESSAGE = 65535;
const HEADER = 16;

/** TcpInput owns the listening socket; start() binds it, stop() closes it and every session. */
export class TcpInput {
  private _server?: net.Server;
  private readonly _sockets = new Set<net.Socket>();
  readonly stats: TcpInputStats = { connections: 0, accepted: 0, refused: 0, messages: 0, framingErrors: 0 };

  constructor(
    readonly options: TcpInputOptions,
    private readonly _onMessage: (message: Uint8Array, source: string) => void,
  ) {}

  /** start listens; resolves to the bound port. */
  start(): Promise<number> {
    const server = net.createServer((socket) => this._accept(socket));
    this._server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        server.on('error', () => { /* Accept errors (EMFILE...) leave the listener running. */ });
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  private _accept(socket: net.Socket): void {
    if (this._sockets.size >= this.options.maxConnections) {
      this.stats.refused++;
      socket.destroy();
      return;
    }
    this.stats.accepted++;
    this._sockets.add(socket);
    this.stats.connections = this._sockets.size;
    const source = socket.remoteAddress?.replace(/^::ffff:/, '') ?? 'unknown';
    const buffer = Buffer.allocUnsafe(MAX_MESSAGE); // One message at most is ever held per session.
    let held = 0;
    socket.setTimeout(this.options.idleTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(chunk.length - offset, MAX_MESSAGE - held);
        chunk.copy(buffer, held, offset, offset + n);
        held += n;
        offset += n;
        let start = 0;
        while (held - start >= 4) {
          const version = buffer.readUInt16BE(start);
          const length = buffer.readUInt16BE(start + 2);
          if (version !== 10 || length < HEADER) {
            this.stats.framingErrors++;
            socket.destroy();
            return;
          }
          if (held - start < length) break;
          this.stats.messages++;
          this._onMessage(buffer.subarray(start, start + length), source);
          start += length;
        }
        buffer.copy(buffer, 0, start, held);
        held -= start;
      }
    });
    socket.on('error', () => { /* A reset session is closed below. */ });
    socket.on('close', () => {
      this._sockets.delete(socket);
      this.stats.connections = this._sockets.size;
    });
  }

  stop(): Promise<void> {
    for (const s of this._sockets) s.destroy();
    const server = this._server;
    this._server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
