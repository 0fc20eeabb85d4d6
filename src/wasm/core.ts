/** FlowCore: the façade over the WASM core. Copies a datagram in, calls ingest once, reads results in place. */
import { instantiateCore, type CoreExports } from './loader.js';
import {
  STAT, STAT_COUNT, INPUT_CAPACITY, STATUS_OK, STATUS_TEMPLATE_PENDING, DECODE_ERROR_CODES, ERR_TOO_LARGE,
  DELTA_RECORD_SIZE, DELTA_OFF_FLAGS, DELTA_OFF_FLOWS_OUT, DELTA_OFF_FIRST_SEEN, DELTA_FLAG_OVERFLOW,
} from './abi.js';
import { isMappedV4 } from '../protocol/address.js';
import { FAMILY_IPV4, FAMILY_IPV6, FAMILY_OVERFLOW, HOST_FIELD_COUNT } from '../protocol/messages.js';

/** CoreOptions size the core's fixed memory. */
export interface CoreOptions {
  maxHosts: number; // Hosts per window before new ones go to the overflow entry.
  maxTemplates: number; // Templates over all exporters.
  maxExporters: number; // Distinct exporter addresses given their own state and counters.
  templatesPerExporter: number; // One exporter cannot take the whole template cache.
  templateLifetimeMs: number; // Templates not refreshed for this long expire (RFC 7011 8.4); 0: never.
}

/** defaultCoreOptions are the embedded defaults. */
export function defaultCoreOptions(): CoreOptions {
  return { maxHosts: 200_000, maxTemplates: 4096, maxExporters: 1024, templatesPerExporter: 512, templateLifetimeMs: 30 * 60_000 };
}

export type CoreStats = Record<keyof typeof STAT, number>;

/** DecodeError describes why a datagram was (partly) rejected. */
export interface DecodeError {
  code: string; // IPFIX_ERR_*.
  offset: number; // Byte offset in the datagram.
  obsDomainId: number;
  templateId: number;
}

/** HostVisitor receives one host of a closed window; values[i] is HOST_FIELDS[i]; the arrays are reused. */
export type HostVisitor = (family: number, addr: Uint8Array, addrOffset: number, values: Float64Array) => void;

/** FlowCore owns one WASM instance: its template cache and its host table. */
export class FlowCore {
  private readonly _wasm: CoreExports;
  private _bytes!: Uint8Array;
  private _words!: Uint32Array;
  private _doubles!: Float64Array;
  private _stats!: BigUint64Array;
  private readonly _exporters = new Map<string, number>();
  private readonly _values = new Float64Array(HOST_FIELD_COUNT);
  private _tooLarge = 0;

  constructor(readonly options: CoreOptions = defaultCoreOptions()) {
    if (!(options.maxHosts >= 1 && options.maxHosts <= 1 << 26)) throw new RangeError('maxHosts must be 1..67108864');
    if (!(options.maxTemplates >= 1 && options.maxTemplates <= 1 << 20)) throw new RangeError('maxTemplates must be 1..1048576');
    this._wasm = instantiateCore();
    if (!(options.maxExporters >= 1 && options.maxExporters <= 65_535)) throw new RangeError('maxExporters must be 1..65535');
    this._wasm.init(options.maxHosts, options.maxTemplates, options.maxExporters, options.templatesPerExporter, options.templateLifetimeMs);
    this._views();
  }

  private _views(): void {
    const buffer = this._wasm.memory.buffer;
    this._bytes = new Uint8Array(buffer);
    this._words = new Uint32Array(buffer);
    this._doubles = new Float64Array(buffer);
    this._stats = new BigUint64Array(buffer, this._wasm.statsAddress(), STAT_COUNT * (this.options.maxExporters + 1));
  }

  /** exporterId gives each exporter address its own template scope; past maxExporters they share one. */
  private _exporterId(exporter: string): number {
    let id = this._exporters.get(exporter);
    if (id === undefined) {
      id = this._exporters.size < this.options.maxExporters ? this._exporters.size + 1 : 0;
      if (id !== 0) this._exporters.set(exporter, id);
    }
    return id;
  }

  /** ingest decodes one datagram from exporter (its address) that arrived at nowMs; returns the status. */
  ingest(datagram: Uint8Array, exporter: string, nowMs: number): number {
    if (this._bytes.byteLength === 0) this._views(); // Memory grew (it should not after init).
    if (datagram.length > INPUT_CAPACITY) {
      this._tooLarge++;
      return ERR_TOO_LARGE;
    }
    this._bytes.set(datagram, this._wasm.inputAddress());
    return this._wasm.ingest(datagram.length, this._exporterId(exporter), nowMs);
  }

  /** stats reads the core's counters over all exporters. */
  stats(): CoreStats {
    const out = this._block(0);
    out.datagrams += this._tooLarge;
    out.datagramsRejected += this._tooLarge;
    out.errTooLarge += this._tooLarge;
    return out;
  }

  /** exporterStats reads the counters of each exporter address (the first maxExporters seen). */
  exporterStats(): Map<string, CoreStats> {
    const out = new Map<string, CoreStats>();
    for (const [address, id] of this._exporters) out.set(address, this._block(id));
    return out;
  }

  private _block(id: number): CoreStats {
    const out = {} as CoreStats;
    const base = id * STAT_COUNT;
    for (const [name, slot] of Object.entries(STAT)) out[name as keyof typeof STAT] = Number(this._stats[base + slot]);
    return out;
  }

  /** decodeError describes a status returned by ingest(), or undefined for OK. */
  decodeError(status: number): DecodeError | undefined {
    if (status === STATUS_OK) return undefined;
    return {
      code: DECODE_ERROR_CODES[status] ?? `IPFIX_ERR_${status}`,
      offset: status === STATUS_TEMPLATE_PENDING ? -1 : Number(this._stats[STAT.lastErrorOffset]),
      obsDomainId: Number(this._stats[STAT.lastDomain]),
      templateId: Number(this._stats[STAT.lastTemplate]),
    };
  }

  /** windowHosts is how many entries the window in progress has (the overflow entry included). */
  windowHosts(): number {
    return this._wasm.closeWindow();
  }

  /** closeWindow visits every host of the window in place, then empties the table; returns the count. */
  closeWindow(visit: HostVisitor): number {
    const n = this._wasm.closeWindow();
    const base = this._wasm.entriesAddress();
    const values = this._values;
    for (let k = 0; k < n; k++) {
      const e = base + k * DELTA_RECORD_SIZE;
      const w = (e + DELTA_OFF_FLOWS_OUT) >>> 2;
      for (let i = 0; i < 6; i++) values[i] = this._words[w + 2 * i] + this._words[w + 2 * i + 1] * 0x1_0000_0000;
      values[6] = this._doubles[(e + DELTA_OFF_FIRST_SEEN) >>> 3];
      values[7] = this._doubles[((e + DELTA_OFF_FIRST_SEEN) >>> 3) + 1];
      if (this._words[(e + DELTA_OFF_FLAGS) >>> 2] & DELTA_FLAG_OVERFLOW) visit(FAMILY_OVERFLOW, this._bytes, e, values);
      else if (isMappedV4(this._bytes, e)) visit(FAMILY_IPV4, this._bytes, e + 12, values);
      else visit(FAMILY_IPV6, this._bytes, e, values);
    }
    this._wasm.clear();
    return n;
  }
}
