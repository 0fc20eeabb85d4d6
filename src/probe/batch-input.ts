/** UDP input through the optional native reader (native/recvmmsg.c): many datagrams per system call,
 * written straight into the WASM core's batch region, one call into WASM per batch. */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatV4, formatV6, isMappedV4 } from '../protocol/address.js';
import { BATCH_CAPACITY, BATCH_META_SIZE, INPUT_CAPACITY, STATUS_OK, STATUS_TEMPLATE_PENDING } from '../wasm/abi.js';
import type { FlowCore } from '../wasm/core.js';
import type { UdpInputOptions } from './udp-input.js';

interface NativeReader {
  open(host: string, port: number, rcvbuf: number): { handle: unknown; port: number; rcvbuf: number };
  watch(handle: unknown, callback: () => void): void;
  read(handle: unknown, memory: ArrayBuffer, slots: number, slotSize: number, count: number, meta: number): number;
  rest(handle: unknown, ms: number): void;
  close(handle: unknown): void;
}

/** restMs is how long the reader waits, once it has emptied the socket, before it watches it again: a
 * millisecond for each 2 MiB of receive buffer the kernel granted (SO_RCVBUF, overhead included), 1 to
 * 3. At 150,000 datagrams/s of 1.4 KB, 3 ms fill about an eighth of 8 MiB. 3 ms against 1 ms: 3-9 % more
 * records per CPU-second (bench/README.md). */
export function restMs(granted: number): number {
  return Math.max(1, Math.min(3, Math.floor(granted / (2 << 20))));
}

let native: NativeReader | string | undefined;

/** loadNativeReader loads build/recvmmsg.node, or says why it cannot. */
export function loadNativeReader(): NativeReader | string {
  if (native === undefined) {
    const here = dirname(fileURLToPath(import.meta.url));
    const file = ['..', '../..'].map((up) => join(here, up, 'build/recvmmsg.node')).find((f) => existsSync(f));
    try {
      native = file ? (createRequire(import.meta.url)(file) as NativeReader) : 'build/recvmmsg.node is not built (npm run build:native)';
    } catch (err) {
      native = `build/recvmmsg.node does not load: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return native;
}

/** BatchUdpInput owns a native socket; each readable event drains it in batches into the core. */
export class BatchUdpInput {
  private _reader?: NativeReader;
  private _handle?: unknown;
  private _granted = 0;
  private readonly _v4Ids = new Map<number, number>(); // IPv4 exporter (as a number) -> exporter id.
  private _batch?: ReturnType<FlowCore["batch"]>;
  /** batches and datagrams count what was read; readErrors the failed reads. */
  readonly stats = { batches: 0, datagrams: 0, readErrors: 0 };

  constructor(
    readonly options: UdpInputOptions,
    private readonly _core: FlowCore,
    private readonly _onStatus: (error: { status: number; offset: number; domain: number; template: number }, exporter: string, length: number) => void,
  ) {}

  /** start binds the socket; resolves to the bound port. */
  start(): Promise<number> {
    const reader = loadNativeReader();
    if (typeof reader === 'string') return Promise.reject(new Error(reader));
    let opened;
    try {
      opened = reader.open(this.options.host, this.options.port, this.options.receiveBufferBytes);
    } catch (err) {
      return Promise.reject(new Error(`udp ${this.options.host}:${this.options.port}: ${(err as Error).message}`));
    }
    this._reader = reader;
    this._handle = opened.handle;
    this._granted = opened.rcvbuf;
    this._batch = this._core.batch(); // WASM memory never grows after init, so these views stay valid.
    reader.watch(opened.handle, () => this._drain());
    return Promise.resolve(opened.port);
  }

  private _drain(): void {
    const reader = this._reader, handle = this._handle, b = this._batch, rest = restMs(this._granted);
    if (!reader || handle === undefined || !b) return;
    // A bounded number of batches per wakeup, so that a flood cannot starve timers and the uplink. Once
    // the socket is empty, the reader rests a few milliseconds before the next wakeup (recvmmsg.c says why).
    for (let round = 0; round < 16; round++) {
      const n = reader.read(handle, b.memory, b.slots, INPUT_CAPACITY, BATCH_CAPACITY, b.meta);
      if (n < 0) { this.stats.readErrors++; return; }
      if (n === 0) { reader.rest(handle, rest); return; }
      const words = BATCH_META_SIZE / 4;
      for (let i = 0; i < n; i++) b.ids[i] = this._exporterId(b.metaWords, i * words);
      this._core.ingestBatch(n, Date.now());
      this.stats.batches++;
      this.stats.datagrams += n;
      for (let i = 0; i < n; i++) {
        const o = b.outcomes, s = o[i * 4];
        if (s === STATUS_OK || s === STATUS_TEMPLATE_PENDING) continue;
        this._onStatus({ status: s, offset: o[i * 4 + 1] >>> 0, domain: o[i * 4 + 2] >>> 0, template: o[i * 4 + 3] >>> 0 }, this._address(b.metaWords, i * words), b.metaWords[i * words]);
      }
      if (n < BATCH_CAPACITY) { reader.rest(handle, rest); return; }
    }
  }

  private _exporterId(meta: Uint32Array, at: number): number {
    if (meta[at + 2] !== 4) return this._core.exporterId(this._address(meta, at));
    const v4 = meta[at + 3];
    let id = this._v4Ids.get(v4);
    if (id === undefined) {
      id = this._core.exporterId(this._address(meta, at));
      if (this._v4Ids.size < 65_536) this._v4Ids.set(v4, id);
    }
    return id;
  }

  private _address(meta: Uint32Array, at: number): string {
    if (meta[at + 2] === 4) { const v = meta[at + 3]; return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`; }
    const bytes = new Uint8Array(meta.buffer, meta.byteOffset + (at + 4) * 4, 16);
    // An IPv4 sender on an IPv6 socket: named as node:dgram names it, so both readers agree.
    return isMappedV4(bytes, 0) ? `::ffff:${formatV4(bytes, 12)}` : formatV6(bytes, 0);
  }

  /** receiveBufferBytes is the size the kernel granted. */
  receiveBufferBytes(): number {
    return this._granted;
  }

  stop(): Promise<void> {
    if (this._reader && this._handle !== undefined) this._reader.close(this._handle);
    this._handle = undefined;
    return Promise.resolve();
  }
}
