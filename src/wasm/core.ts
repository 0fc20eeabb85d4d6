/** FlowCore: the façade over the WASM core. Copies a datagram in, calls ingest once, reads results in place. */
import { instantiateCore, WasmAbortError, type CoreExports } from './loader.js';
import { ERR_CORE_FAULT } from './abi.js';
import {
  STAT, STAT_COUNT, INPUT_CAPACITY, STATUS_OK, STATUS_TEMPLATE_PENDING, DECODE_ERROR_CODES, ERR_TOO_LARGE,
  DELTA_RECORD_SIZE, DELTA_OFF_FLAGS, DELTA_OFF_FLOWS_OUT, DELTA_OFF_FLOWS_IN, DELTA_OFF_PACKETS_OUT, DELTA_OFF_BYTES_OUT,
  DELTA_OFF_PACKETS_IN, DELTA_OFF_BYTES_IN, DELTA_OFF_FIRST_SEEN, DELTA_OFF_LAST_SEEN, DELTA_OFF_TCP_OUT, DELTA_OFF_TCP_IN,
  DELTA_OFF_PROTO_OUT, DELTA_OFF_PROTO_IN, DELTA_OFF_PEERS_OUT, DELTA_OFF_PEERS_IN, DELTA_OFF_PORTS_OUT, DELTA_OFF_PORTS_IN,
  DELTA_FLAG_OVERFLOW, FLOW_OUT_SIZE, EVENT_SIZE, SKETCH_INLINE, SKETCH_EXACT, SKETCH_HLL, SKETCH_SPARSE, BATCH_CAPACITY, BATCH_META_SIZE,
} from './abi.js';
import { SKETCH_REGISTERS, DISTINCT_COUNT } from '../protocol/messages.js';
import type { SketchSource } from '../protocol/sketch.js';
import { isMappedV4, formatKey, maskByte, type Cidr } from '../protocol/address.js';
import { FAMILY_IPV4, FAMILY_IPV6, FAMILY_OVERFLOW, HOST_FIELD_COUNT, FIRST_SEEN, LAST_SEEN } from '../protocol/messages.js';

/** CoreOptions size the core's fixed memory. */
export interface CoreOptions {
  maxHosts: number; // Hosts per window before new ones go to the overflow entry.
  maxTemplates: number; // Templates over all exporters.
  maxExporters: number; // Distinct exporter addresses given their own state and counters.
  templatesPerExporter: number; // One exporter cannot take the whole template cache.
  templateLifetimeMs: number; // Templates not refreshed for this long expire (RFC 7011 8.4); 0: never.
  networks?: Cidr[]; // Monitored networks: only their addresses become hosts; none: every address.
  sketchBytes: number; // Memory for one window's distinct-count sketches; values beyond it are counted, not kept.
}

/** MAX_NETWORKS caps the monitored networks (each address is checked against them in turn). */
export const MAX_NETWORKS = 256;

/** MAX_HOSTS bounds the host table: 320 bytes a host plus its index keep 2 million within 700 MB of WASM memory. */
export const MAX_HOSTS = 2_000_000;
/** MAX_SKETCH_BYTES bounds the sketch arena, so that hosts, sketches and the rest stay within the core's 1 GiB. */
export const MAX_SKETCH_BYTES = 256 << 20;

/** defaultCoreOptions are the embedded defaults. */
export function defaultCoreOptions(): CoreOptions {
  return { maxHosts: 200_000, maxTemplates: 4096, maxExporters: 1024, templatesPerExporter: 512, templateLifetimeMs: 30 * 60_000, sketchBytes: 64 << 20 };
}

export type CoreStats = Record<keyof typeof STAT, number> & { coreFaults?: number };

/** DecodeError describes why a datagram was (partly) rejected. */
export interface DecodeError {
  code: string; // IPFIX_ERR_*.
  offset: number; // Byte offset in the datagram.
  obsDomainId: number;
  templateId: number;
}

/** HostVisitor receives one host of a closed window; values[i] is HOST_FIELDS[i], distinct[i] the sketch of
 * DISTINCT_FIELDS[i] (undefined: empty) in the core's memory; all of them are valid only during the call. */
export type HostVisitor = (family: number, addr: Uint8Array, addrOffset: number, values: Float64Array, distinct: readonly (SketchSource | undefined)[]) => void;

/** DecodedFlow is one flow record as the core read it (decode mode), before sampling is applied. */
export interface DecodedFlow {
  version: number; // 5, 9 or 10.
  observationDomainId: number; // v9 source id; v5 engine type << 8 | engine id.
  templateId: number; // 0 for v5.
  source?: string;
  destination?: string;
  sourceTransportPort?: number;
  destinationTransportPort?: number;
  protocolIdentifier?: number;
  tcpControlBits?: number;
  packets: number;
  octets: number;
  reversePackets?: number; // Biflow reverse or responder counts.
  reverseOctets?: number;
  startMs: number; // Epoch ms; the arrival time when the record has no times (timesFromRecord false).
  endMs: number;
  timesFromRecord: boolean;
  decodedLater?: boolean; // From a data set held until its template arrived.
  samplingRate: number; // The rate the host table applies to packets and octets.
}

/** CoreEvent is a template event or an options record's announcement (decode mode). */
export type CoreEvent =
  | { type: 'template'; event: 'added' | 'updated' | 'withdrawn' | 'expired' | 'evicted'; observationDomainId: number; templateId: number; options: boolean; fieldCount: number; recordLength: number; fields?: TemplateField[] }
  | { type: 'options'; observationDomainId: number; templateId: number; systemInitTimeMilliseconds?: number; samplingRate?: number; samplerId?: number };

/** TemplateField is one field of an added or updated template: element id, enterprise number (0: IANA), length (65535: variable). */
export interface TemplateField { id: number; pen: number; length: number; scope: boolean }

const TEMPLATE_EVENTS = ['', 'added', 'updated', 'withdrawn', 'expired', 'evicted'] as const;
const EV_TEMPLATE_FIELD = 7;

const FF_SRC = 1, FF_DST = 2, FF_REVERSE = 4, FF_TIMES = 8, FF_PORTS = 16, FF_PROTO = 32, FF_TCP_FLAGS = 64, FF_HELD = 128;

// Where HOST_FIELDS' values live in an entry: the six counters, the four runs of flow counts, and the
// sketches in DISTINCT_FIELDS order.
const COUNTER_OFFSETS = [DELTA_OFF_FLOWS_OUT, DELTA_OFF_PACKETS_OUT, DELTA_OFF_BYTES_OUT, DELTA_OFF_FLOWS_IN, DELTA_OFF_PACKETS_IN, DELTA_OFF_BYTES_IN];
const COUNT_OFFSETS = [DELTA_OFF_TCP_OUT, DELTA_OFF_TCP_IN, DELTA_OFF_PROTO_OUT, DELTA_OFF_PROTO_IN];
const COUNT_FIELDS = [6, 14, 22, 26];
const SKETCH_OFFSETS = [DELTA_OFF_PEERS_OUT, DELTA_OFF_PEERS_IN, DELTA_OFF_PORTS_OUT, DELTA_OFF_PORTS_IN];

/** FlowCore owns one WASM instance: its template cache and its host table. */
export class FlowCore {
  private readonly _wasm: CoreExports;
  private _bytes!: Uint8Array;
  private _words!: Uint32Array;
  private _doubles!: Float64Array;
  private _stats!: BigUint64Array;
  private readonly _exporters = new Map<string, number>();
  private readonly _values = new Float64Array(HOST_FIELD_COUNT);
  private readonly _distinct: (SketchSource | undefined)[] = new Array(DISTINCT_COUNT);
  private _tooLarge = 0;
  private _faults = 0;
  /** lastFault is the message of the last trap, if any. */
  lastFault = '';
  private _inputEnd = 0;

  constructor(readonly options: CoreOptions = defaultCoreOptions()) {
    if (!(Number.isInteger(options.maxHosts) && options.maxHosts >= 1 && options.maxHosts <= MAX_HOSTS)) {
      throw new RangeError(`max hosts must be an integer in 1..${MAX_HOSTS}`);
    }
    if (!(options.maxTemplates >= 1 && options.maxTemplates <= 1 << 20)) throw new RangeError('maxTemplates must be 1..1048576');
    this._wasm = instantiateCore();
    if (!(options.maxExporters >= 1 && options.maxExporters <= 65_535)) throw new RangeError('maxExporters must be 1..65535');
    if (!(Number.isInteger(options.sketchBytes) && options.sketchBytes >= 0 && options.sketchBytes <= MAX_SKETCH_BYTES)) {
      throw new RangeError(`sketch memory must be 0..${MAX_SKETCH_BYTES} bytes`);
    }
    this._wasm.init(options.maxHosts, options.maxTemplates, options.maxExporters, options.templatesPerExporter, options.templateLifetimeMs, options.sketchBytes);
    this._views();
    const networks = options.networks ?? [];
    if (networks.length > MAX_NETWORKS) throw new RangeError(`at most ${MAX_NETWORKS} monitored networks`);
    networks.forEach((n, i) => {
      const at = this._wasm.inputAddress() + i * 32;
      this._bytes.set(n.key, at);
      for (let b = 0; b < 16; b++) this._bytes[at + 16 + b] = maskByte(n.prefix, b);
    });
    this._wasm.monitorNetworks(networks.length);
  }

  private _views(): void {
    const buffer = this._wasm.memory.buffer;
    this._bytes = new Uint8Array(buffer);
    this._words = new Uint32Array(buffer);
    this._doubles = new Float64Array(buffer);
    this._stats = new BigUint64Array(buffer, this._wasm.statsAddress(), STAT_COUNT * (this.options.maxExporters + 1));
    this._inputEnd = this._wasm.inputEnd();
  }

  /** batch locates the batch regions (see assembly/abi.ts) for a reader that writes datagrams into them;
   * ids and outcomes are views of the per-slot exporter ids (the caller writes) and outcomes (ingestBatch
   * writes four i32 a slot: status, then the error's byte offset, observation domain and template id). */
  batch(): { memory: ArrayBuffer; slots: number; meta: number; metaWords: Uint32Array; ids: Uint32Array; outcomes: Int32Array } {
    const memory = this._wasm.memory.buffer;
    return {
      memory,
      slots: this._wasm.batchAddress(),
      meta: this._wasm.batchMetaAddress(),
      metaWords: new Uint32Array(memory, this._wasm.batchMetaAddress(), BATCH_CAPACITY * BATCH_META_SIZE / 4),
      ids: new Uint32Array(memory, this._wasm.batchIdsAddress(), BATCH_CAPACITY),
      outcomes: new Int32Array(memory, this._wasm.batchStatusAddress(), BATCH_CAPACITY * 4), // status, offset, domain, template

    };
  }

  /** ingestBatch decodes the n datagrams a reader put in the batch regions, arrived at nowMs (UDP): one
   * call into WASM for all of them. A trap (a bug) loses the rest of the batch; it is counted. */
  ingestBatch(n: number, nowMs: number): void {
    try {
      this._wasm.ingestBatch(n, nowMs);
    } catch (err) {
      if (!(err instanceof WebAssembly.RuntimeError || err instanceof WasmAbortError)) throw err;
      this._faults++;
      this.lastFault = err.message;
    }
  }

  /** exporterId gives each exporter address its own template scope; past maxExporters they share one (0). */
  exporterId(exporter: string): number {
    let id = this._exporters.get(exporter);
    if (id === undefined) {
      id = this._exporters.size < this.options.maxExporters ? this._exporters.size + 1 : 0;
      if (id !== 0) this._exporters.set(exporter, id);
    }
    return id;
  }

  /** ingest decodes one datagram (or TCP message, reliable) from exporter (its address) that arrived at
   * nowMs; returns the status. */
  ingest(datagram: Uint8Array, exporter: string, nowMs: number, reliable = false): number {
    if (this._bytes.byteLength === 0) this._views(); // Memory grew (it should not after init).
    if (datagram.length > INPUT_CAPACITY) {
      this._tooLarge++;
      return ERR_TOO_LARGE;
    }
    // The datagram ends where memory ends: a read past it traps instead of reading other state.
    this._bytes.set(datagram, this._inputEnd - datagram.length);
    try {
      return this._wasm.ingest(datagram.length, this.exporterId(exporter), nowMs, reliable ? 1 : 0);
    } catch (err) {
      // A trap is a bug in the core, never the input's fault: count it, keep the datagram's error, go on.
      if (!(err instanceof WebAssembly.RuntimeError || err instanceof WasmAbortError)) throw err;
      this._faults++;
      this.lastFault = err.message;
      return ERR_CORE_FAULT;
    }
  }

  /** stats reads the core's counters over all exporters. */
  stats(): CoreStats {
    const out = this._block(0);
    out.datagrams += this._tooLarge;
    out.datagramsRejected += this._tooLarge;
    out.errTooLarge += this._tooLarge;
    out.coreFaults = this._faults;
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
    if (status === ERR_CORE_FAULT) return { code: DECODE_ERROR_CODES[status], offset: -1, obsDomainId: 0, templateId: 0 };
    return {
      code: DECODE_ERROR_CODES[status] ?? `IPFIX_ERR_${status}`,
      offset: status === STATUS_TEMPLATE_PENDING ? -1 : Number(this._stats[STAT.lastErrorOffset]),
      obsDomainId: Number(this._stats[STAT.lastDomain]),
      templateId: Number(this._stats[STAT.lastTemplate]),
    };
  }

  /** decodeMode makes ingest() also write every decoded flow to the record output (see takeRecords). */
  decodeMode(on: boolean): void {
    this._wasm.decodeMode(on ? 1 : 0);
  }

  /** takeRecords returns the flows decoded since the last call (decode mode), and how many did not fit. */
  takeRecords(): { flows: DecodedFlow[]; dropped: number } {
    const n = this._wasm.recordsCount();
    const base = this._wasm.recordsAddress();
    const view = new DataView(this._wasm.memory.buffer);
    const bytes = this._bytes;
    const flows: DecodedFlow[] = [];
    const u64 = (o: number) => view.getUint32(o, true) + view.getUint32(o + 4, true) * 0x1_0000_0000;
    for (let k = 0; k < n; k++) {
      const o = base + k * FLOW_OUT_SIZE;
      const flags = view.getUint16(o + 96, true);
      const f: DecodedFlow = {
        version: view.getUint16(o + 104, true),
        observationDomainId: view.getUint32(o + 100, true),
        templateId: view.getUint16(o + 98, true),
        packets: u64(o + 32),
        octets: u64(o + 40),
        startMs: view.getFloat64(o + 64, true),
        endMs: view.getFloat64(o + 72, true),
        timesFromRecord: (flags & FF_TIMES) !== 0,
        samplingRate: view.getFloat64(o + 80, true),
      };
      if (flags & FF_SRC) f.source = formatKey(bytes, o);
      if (flags & FF_DST) f.destination = formatKey(bytes, o + 16);
      if (flags & FF_PORTS) {
        f.sourceTransportPort = view.getUint16(o + 88, true);
        f.destinationTransportPort = view.getUint16(o + 90, true);
      }
      if (flags & FF_PROTO) f.protocolIdentifier = bytes[o + 92];
      if (flags & FF_TCP_FLAGS) f.tcpControlBits = view.getUint16(o + 94, true);
      if (flags & FF_HELD) f.decodedLater = true;
      if (flags & FF_REVERSE) {
        f.reversePackets = u64(o + 48);
        f.reverseOctets = u64(o + 56);
      }
      flows.push(f);
    }
    const dropped = this._wasm.recordsDropped();
    this._wasm.recordsReset();
    return { flows, dropped };
  }

  /** takeEvents returns the template and options events since the last call (decode mode). */
  takeEvents(): CoreEvent[] {
    const n = this._wasm.eventsTotal();
    const base = this._wasm.eventsAddress();
    const view = new DataView(this._wasm.memory.buffer);
    const out: CoreEvent[] = [];
    let fields: TemplateField[] = []; // The fields of the template whose added/updated event comes next.
    for (let k = 0; k < n; k++) {
      const o = base + k * EVENT_SIZE;
      const kind = view.getUint8(o);
      const observationDomainId = view.getUint32(o + 8, true);
      const templateId = view.getUint16(o + 2, true);
      if (kind === EV_TEMPLATE_FIELD) {
        if (view.getUint16(o + 4, true) === 0) fields = [];
        fields.push({ id: view.getUint32(o + 12, true), pen: view.getUint32(o + 16, true), length: view.getUint16(o + 6, true), scope: view.getUint8(o + 1) === 1 });
      } else if (kind >= 1 && kind <= 5) {
        const e: CoreEvent = { type: 'template', event: TEMPLATE_EVENTS[kind] as 'added', observationDomainId, templateId, options: view.getUint8(o + 1) === 1,
          fieldCount: view.getUint16(o + 4, true), recordLength: view.getUint16(o + 6, true) };
        if ((kind === 1 || kind === 2) && fields.length === e.fieldCount) e.fields = fields;
        fields = [];
        out.push(e);
      } else {
        const has = view.getUint32(o + 12, true);
        const e: CoreEvent = { type: 'options', observationDomainId, templateId };
        if (has & 1) e.systemInitTimeMilliseconds = view.getFloat64(o + 16, true);
        if (has & 2) e.samplingRate = view.getFloat64(o + 24, true);
        if (has & 4) e.samplerId = Number(view.getBigUint64(o + 32, true));
        out.push(e);
      }
    }
    this._wasm.eventsReset();
    return out;
  }

  /** windowHosts is how many entries the window in progress has (the overflow entry included): those
   * encodeHosts() can write before endClose(); nothing may be ingested in between (they are read in place). */
  windowHosts(): number {
    return this._wasm.closeWindow();
  }

  /** encodeHosts writes entries [from, to) of the window being closed in the frame's wire form, as
   * FrameWriter.host() would in a frame of windowStart, within the limits (assembly/table/frame-hosts.ts);
   * bytes is a view of WASM memory, valid until the next call. */
  encodeHosts(from: number, to: number, maxHosts: number, maxRegisterSketches: number, maxBytes: number, windowStart: number): { next: number; bytes: Uint8Array; registerSketches: number } {
    // A part already at its byte limit still takes one host, as FrameWriter callers do (they start a part,
    // then write a host, however large the part's header).
    const next = this._wasm.encodeHosts(from, to, maxHosts, maxRegisterSketches, Math.max(1, Math.min(maxBytes, 0x7fffffff)), windowStart);
    const at = this._wasm.encodedAddress();
    return { next, bytes: this._bytes.subarray(at, at + this._wasm.encodedBytes()), registerSketches: this._wasm.encodedRegisterSketches() };
  }

  /** endClose empties the table for the next window. */
  endClose(): void {
    this._wasm.clear();
  }

  /** closeWindow visits every host of the window in place, then empties the table; returns the count. */
  closeWindow(visit: HostVisitor): number {
    const n = this.windowHosts();
    const base = this._wasm.entriesAddress();
    const values = this._values;
    for (let k = 0; k < n; k++) {
      const e = base + k * DELTA_RECORD_SIZE;
      for (let i = 0; i < 6; i++) {
        const w = (e + COUNTER_OFFSETS[i]) >>> 2;
        values[i] = this._words[w] + this._words[w + 1] * 0x1_0000_0000;
      }
      for (let k = 0; k < 4; k++) { // TCP flags out, in (8 each); protocols out, in (4 each): HOST_FIELDS 6..29.
        const from = (e + COUNT_OFFSETS[k]) >>> 2, at = COUNT_FIELDS[k], n = k < 2 ? 8 : 4;
        for (let i = 0; i < n; i++) values[at + i] = this._words[from + i];
      }
      values[FIRST_SEEN] = this._doubles[(e + DELTA_OFF_FIRST_SEEN) >>> 3];
      values[LAST_SEEN] = this._doubles[(e + DELTA_OFF_LAST_SEEN) >>> 3];
      for (let j = 0; j < DISTINCT_COUNT; j++) this._distinct[j] = this._sketchAt(e + SKETCH_OFFSETS[j]);
      if (this._words[(e + DELTA_OFF_FLAGS) >>> 2] & DELTA_FLAG_OVERFLOW) visit(FAMILY_OVERFLOW, this._bytes, e, values, this._distinct);
      else if (isMappedV4(this._bytes, e)) visit(FAMILY_IPV4, this._bytes, e + 12, values, this._distinct);
      else visit(FAMILY_IPV6, this._bytes, e, values, this._distinct);
    }
    this.endClose();
    return n;
  }

  /** _sketchAt views the sketch whose head is at head (see assembly/table/sketch.ts) in place. */
  private _sketchAt(head: number): SketchSource | undefined {
    const word = this._words[head >>> 2];
    const form = this._bytes[head + 31];
    if (form === SKETCH_INLINE) return { exact: this._words.subarray(head >>> 2, (head >>> 2) + this._bytes[head + 28]) };
    if (form === SKETCH_EXACT) return { exact: this._words.subarray(word >>> 2, (word >>> 2) + (1 << this._bytes[head + 30])) };
    if (form === SKETCH_HLL) return { registers: this._bytes.subarray(word, word + SKETCH_REGISTERS) };
    if (form === SKETCH_SPARSE) return { sparse: this._words.subarray(word >>> 2, (word >>> 2) + (1 << this._bytes[head + 30])) };
    return undefined;
  }
}
