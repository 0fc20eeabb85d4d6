/** UDP input: a dgram socket whose datagrams go straight to a handler; counts what the socket drops. */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';

/** UdpInputOptions say where to listen. */
export interface UdpInputOptions {
  host: string;
  port: number;
  receiveBufferBytes: number; // SO_RCVBUF asked of the kernel (it may grant less).
}

/** UdpInput owns the socket; start() binds it, stop() closes it. */
export class UdpInput {
  private _socket?: dgram.Socket;
  errors = 0;

  constructor(
    readonly options: UdpInputOptions,
    private readonly _onDatagram: (payload: Uint8Array, source: string) => void,
  ) {}

  /** start binds the socket; resolves to the bound port. */
  start(): Promise<number> {
    const socket = dgram.createSocket({ type: isIPv6(this.options.host) ? 'udp6' : 'udp4', reuseAddr: false });
    this._socket = socket;
    socket.on('message', (msg, rinfo) => this._onDatagram(msg, rinfo.address));
    socket.on('error', () => { this.errors++; });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.options.port, this.options.host, () => {
        socket.off('error', reject);
        try {
          socket.setRecvBufferSize(this.options.receiveBufferBytes);
        } catch { /* The kernel keeps its own size; the granted size is reported below. */ }
        resolve(socket.address().port);
      });
    });
  }

  /** receiveBufferBytes is the size the kernel granted. */
  receiveBufferBytes(): number {
    try {
      return this._socket?.getRecvBufferSize() ?? 0;
    } catch {
      return 0;
    }
  }

  stop(): Promise<void> {
    const socket = this._socket;
    this._socket = undefined;
    return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }
}
