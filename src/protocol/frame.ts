/** Window frames: encode (FrameWriter) and decode (decodeFrame) over Uint8Array; layout in docs/protocol.md. */
import { ProtocolError } from './errors.js';
import { formatV4, formatV6, parseAddress, isMappedV4 } from './address.js';
import {
  FRAME_MAGIC, PROTOCOL_VERSION, FRAME_KIND_WINDOW, FRAME_KIND_ACK, MAX_PROBE_ID_BYTES, MAX_FRAME_HOSTS, HOST_FIELD_COUNT, FLAG_MORE_PARTS,
  FAMILY_OVERFLOW, FAMILY_IPV4, FAMILY_IPV6, OVERFLOW_HOST, MAX_FRAME_EXPORTERS, DISTINCT_COUNT, SKETCH_EXACT_LIMIT,
  SKETCH_REGISTERS, SKETCH_MAX_RANK, MAX_FRAME_REGISTER_SKETCHES, FIRST_SEEN, LAST_SEEN, DISTINCT_FIELDS, type WindowHeader, type WindowFrame, type HostDelta, type ExporterReport,
} from './messages.js';
import { DistinctSketch, registersOf, type SketchSource } from './sketch.js';
import { portOf, portValue } from './port-values.js';

const HEADER_FIXED = 8; // magic u32, version u8, kind u8, flags u16
const MAX_VARINT_BYTES = 8; // 56 bits: enough for any safe integer.
const MAX_STATS = 256;
const HOST_COUNT_BYTES = 3; // A padded varint: up to 2^21 - 1 hosts, above MAX_FRAME_HOSTS.
/** Sketch forms on the wire. */
const SKETCH_WIRE_EXACT = 1; // varint n, n x u32 values
const SKETCH_WIRE_SPARSE = 2; // varint k, k x (varint index gap, u8 rank): the non-zero registers, ascending
const SKETCH_WIRE_DENSE = 3; // SKETCH_REGISTERS bytes
const SKETCH_WIRE_PORTS = 4; // varint k, varint r, k ports ascending (varint gaps), r x u32 values: a port set, version 2 on
const SPARSE_LIMIT = Math.floor(SKETCH_REGISTERS / 3); // Sparse while it is smaller than dense.

/** MAX_WIRE_TIME caps the first and last seen times a frame carries, and its window start (epoch ms, year
 * 73,000): the times' zigzag offsets from the window start then stay safe integers. */
const MAX_WIRE_TIME = 2 ** 51;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** FrameWriter builds one window frame at a time in a reused, growing buffer. */
export class FrameWriter {
  private _buf = new Uint8Array(64 * 1024);
  private _pos = 0;
  private _hosts = 0;
  private _registerSketches = 0;
  private _countAt = 0;
  private _windowStart = 0;
  private readonly _sketchSizes = new Array<number>(DISTINCT_COUNT).fill(0);
  private readonly _sources = new Array<SketchSource | undefined>(DISTINCT_COUNT);
  private readonly _portScratch: number[] = [];
  private readonly _rawScratch: number[] = [];
  private readonly _scratch = Array.from({ length: DISTINCT_COUNT }, () => new Uint8Array(SKETCH_REGISTERS));

  /** begin starts a frame; finish() fills in how many hosts it got and whether more parts follow. */
  begin(header: WindowHeader): void {
    const id = encoder.encode(header.probeId);
    if (id.length < 1 || id.length > MAX_PROBE_ID_BYTES) throw new RangeError(`probe id must be 1..${MAX_PROBE_ID_BYTES} bytes`);
    if (!Number.isInteger(header.windowStart) || header.windowStart < 0 || header.windowStart > MAX_WIRE_TIME) throw new RangeError(`window start must be a whole number of ms, 0..2^51`);
    this._pos = 0;
    this._hosts = 0;
    this._registerSketches = 0;
    this._windowStart = header.windowStart;
    this._reserve(HEADER_FIXED + 1 + id.length + (5 + header.stats.length) * MAX_VARINT_BYTES);
    putHeader(this._buf, FRAME_KIND_WINDOW);
    this._buf[8] = id.length;
    this._buf.set(id, 9);
    this._pos = 9 + id.length;
    this._varint(header.windowStart);
    this._varint(header.windowLength);
    this._varint(header.sequence);
    this._varint(header.stats.length);
    for (const v of header.stats) this._varint(v);
    const exporters = header.exporters ?? [];
    if (exporters.length > MAX_FRAME_EXPORTERS) throw new RangeError(`a frame reports at most ${MAX_FRAME_EXPORTERS} exporters`);
    this._varint(exporters.length);
    for (const e of exporters) {
      const key = parseAddress(e.address) ?? new Uint8Array(16);
      this._reserve(18 + (1 + e.stats.length) * MAX_VARINT_BYTES);
      const v4 = isMappedV4(key);
      this._buf[this._pos++] = v4 ? FAMILY_IPV4 : FAMILY_IPV6;
      this._buf.set(v4 ? key.subarray(12) : key, this._pos);
      this._pos += v4 ? 4 : 16;
      this._varint(e.stats.length);
      for (const v of e.stats) this._varint(v);
    }
    // The host count, as a varint padded to HOST_COUNT_BYTES so that finish() can write it in place.
    this._reserve(HOST_COUNT_BYTES);
    this._countAt = this._pos;
    this._pos += HOST_COUNT_BYTES;
  }

  /** host appends one entry: family, its address bytes (from addr at off), the non-zero values and the
   * non-empty sketches (distinct[i] is DISTINCT_FIELDS[i]). */
  host(family: number, addr: Uint8Array, off: number, values: ArrayLike<number>, distinct: readonly (SketchSource | undefined)[] = []): void {
    if (this._hosts++ >= MAX_FRAME_HOSTS) throw new RangeError(`a frame holds at most ${MAX_FRAME_HOSTS} hosts`);
    const addrLength = family === FAMILY_IPV4 ? 4 : family === FAMILY_IPV6 ? 16 : 0;
    this._reserve(1 + addrLength + (1 + HOST_FIELD_COUNT) * MAX_VARINT_BYTES);
    this._buf[this._pos++] = family;
    if (addrLength) {
      this._buf.set(addr.subarray(off, off + addrLength), this._pos);
      this._pos += addrLength;
    }
    // Presence mask as a varint (bit i: field i follows; bit HOST_FIELD_COUNT + j: sketch j follows), then
    // the non-zero values, then the non-empty sketches.
    const first = wireTime(values[FIRST_SEEN]), last = wireTime(values[LAST_SEEN]);
    let mask = (first > 0 ? 2 ** FIRST_SEEN : 0) + (last > 0 ? 2 ** LAST_SEEN : 0);
    for (let i = 0; i < FIRST_SEEN; i++) if (values[i] > 0) mask += 2 ** i;
    const sizes = this._sketchSizes, sources = this._sources;
    for (let j = 0; j < DISTINCT_COUNT; j++) {
      // A sparse HyperLogLog is expanded into a scratch register array per sketch, reused frame to frame.
      const d = distinct[j];
      const registers = d?.sparse ? registersOf(d, this._scratch[j]) : d?.registers;
      sources[j] = registers ? { registers } : d;
      sizes[j] = sources[j] ? nonZero(sources[j]!) : 0;
      if (sizes[j] > 0) mask += 2 ** (HOST_FIELD_COUNT + j);
      if (sizes[j] > 0 && registers) this._registerSketches++;
    }
    if (this._registerSketches > MAX_FRAME_REGISTER_SKETCHES) throw new RangeError(`a frame holds at most ${MAX_FRAME_REGISTER_SKETCHES} HyperLogLog sketches`);
    this._varint(mask);
    for (let i = 0; i < FIRST_SEEN; i++) if (values[i] > 0) this._varint(values[i]);
    // The two times as zigzag offsets: first seen from the window start, last seen from first seen.
    if (first > 0) this._varint(zigzag(first - this._windowStart));
    if (last > 0) this._varint(zigzag(last - (first > 0 ? first : this._windowStart)));
    for (let j = 0; j < DISTINCT_COUNT; j++) if (sizes[j] > 0) this._sketch(sources[j]!, sizes[j], PORT_SETS[j]);
  }

  /** windowStart is the window of the frame in progress. */
  get windowStart(): number {
    return this._windowStart;
  }

  /** hostsEncoded appends hosts already in the wire form (FlowCore.encodeHosts), with how many hosts and
   * HyperLogLog sketches they are. */
  hostsEncoded(bytes: Uint8Array, hosts: number, registerSketches: number): void {
    if (this._hosts + hosts > MAX_FRAME_HOSTS) throw new RangeError(`a frame holds at most ${MAX_FRAME_HOSTS} hosts`);
    if (this._registerSketches + registerSketches > MAX_FRAME_REGISTER_SKETCHES) throw new RangeError(`a frame holds at most ${MAX_FRAME_REGISTER_SKETCHES} HyperLogLog sketches`);
    this._reserve(bytes.length);
    this._buf.set(bytes, this._pos);
    this._pos += bytes.length;
    this._hosts += hosts;
    this._registerSketches += registerSketches;
  }

  /** registerSketches is how many HyperLogLog sketches the frame in progress has. */
  get registerSketches(): number {
    return this._registerSketches;
  }

  /** size is how many bytes the frame in progress has. */
  get size(): number {
    return this._pos;
  }

  /** full says the frame cannot take another host for sure: at the host cap, or too few HyperLogLog sketches left. */
  get full(): boolean {
    return this._hosts >= MAX_FRAME_HOSTS || this._registerSketches > MAX_FRAME_REGISTER_SKETCHES - DISTINCT_COUNT;
  }

  /** sketchBytes writes one sketch alone in its wire form (the merger's stored form); it ends any frame in progress. */
  sketchBytes(s: SketchSource): Uint8Array {
    this._pos = 0;
    this._sketch(s, nonZero(s));
    return this._buf.slice(0, this._pos);
  }

  private _sketch(s: SketchSource, n: number, ports = false): void {
    this._reserve(2 + 2 * MAX_VARINT_BYTES + Math.max(n * 4, SKETCH_REGISTERS));
    const b = this._buf;
    if (!s.registers && ports) {
      this._ports(s.exact!);
    } else if (!s.registers) {
      const exact = s.exact!;
      b[this._pos++] = SKETCH_WIRE_EXACT;
      this._varint(n);
      for (let i = 0; i < exact.length; i++) {
        const v = exact[i];
        if (v === 0) continue;
        b[this._pos] = v >>> 24; b[this._pos + 1] = v >>> 16; b[this._pos + 2] = v >>> 8; b[this._pos + 3] = v;
        this._pos += 4;
      }
    } else if (n <= SPARSE_LIMIT) {
      b[this._pos++] = SKETCH_WIRE_SPARSE;
      this._varint(n);
      let last = -1;
      for (let i = 0; i < SKETCH_REGISTERS; i++) {
        if (s.registers[i] === 0) continue;
        this._varint(i - last - 1);
        b[this._pos++] = s.registers[i];
        last = i;
      }
    } else {
      b[this._pos++] = SKETCH_WIRE_DENSE;
      b.set(s.registers.subarray(0, SKETCH_REGISTERS), this._pos);
      this._pos += SKETCH_REGISTERS;
    }
  }

  /** _ports writes an exact port set as its ports, ascending, and any value no port has as itself. */
  private _ports(exact: ArrayLike<number>): void {
    const known = this._portScratch, raw = this._rawScratch;
    known.length = raw.length = 0;
    for (let i = 0; i < exact.length; i++) {
      const v = exact[i];
      if (v === 0) continue;
      const p = portOf(v);
      if (p >= 0) known.push(p);
      else raw.push(v);
    }
    sortUnique(known); // A set holds each value once: a caller's repeats go out once.
    sortUnique(raw);
    const b = this._buf;
    b[this._pos++] = SKETCH_WIRE_PORTS;
    this._varint(known.length);
    this._varint(raw.length);
    for (let i = 0; i < known.length; i++) this._varint(i === 0 ? known[0] : known[i] - known[i - 1] - 1);
    for (const v of raw) {
      b[this._pos] = v >>> 24; b[this._pos + 1] = v >>> 16; b[this._pos + 2] = v >>> 8; b[this._pos + 3] = v;
      this._pos += 4;
    }
  }

  /** hosts is how many hosts the frame in progress has. */
  get hosts(): number {
    return this._hosts;
  }

  /** finish returns a copy of the frame, safe to queue while the writer starts the next one; moreParts:
   * more frames of this window follow. */
  finish(moreParts = false): Uint8Array {
    for (let i = 0, v = this._hosts; i < HOST_COUNT_BYTES; i++, v >>>= 7) this._buf[this._countAt + i] = (v & 0x7f) | (i < HOST_COUNT_BYTES - 1 ? 0x80 : 0);
    this._buf[6] = 0;
    this._buf[7] = moreParts ? FLAG_MORE_PARTS : 0;
    return this._buf.slice(0, this._pos);
  }

  private _varint(v: number): void {
    this._pos = putVarint(this._buf, this._pos, v);
  }

  private _reserve(n: number): void {
    if (this._pos + n <= this._buf.length) return;
    let size = this._buf.length * 2;
    while (size < this._pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this._buf.subarray(0, this._pos));
    this._buf = next;
  }
}

/** PORT_SETS marks the distinct sets that hold ports (dst_ports_out, local_ports_in), which go out as ports. */
const PORT_SETS = DISTINCT_FIELDS.map((f) => f.includes('ports'));

/** wireTime is an epoch-ms time as a frame carries it: whole ms, at most MAX_WIRE_TIME; 0 is none. */
function wireTime(t: number): number {
  return t > 0 ? Math.min(Math.floor(t), MAX_WIRE_TIME) : 0;
}

/** sortUnique sorts a in place, ascending, and drops its repeats. */
function sortUnique(a: number[]): void {
  a.sort((x, y) => x - y);
  let k = 0;
  for (let i = 0; i < a.length; i++) if (k === 0 || a[i] !== a[k - 1]) a[k++] = a[i];
  a.length = k;
}

function zigzag(v: number): number {
  return v >= 0 ? 2 * v : -2 * v - 1;
}

function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** ACK_VERSION is what an ack says it is: its layout has not changed since version 1, and probes that
 * read only version 1 read it. */
const ACK_VERSION = 1;

/** putHeader writes a message's fixed header: magic, version, kind, no flags (finish() sets a frame's). */
function putHeader(buf: Uint8Array, kind: number): void {
  new DataView(buf.buffer, buf.byteOffset).setUint32(0, FRAME_MAGIC);
  buf[4] = kind === FRAME_KIND_ACK ? ACK_VERSION : PROTOCOL_VERSION;
  buf[5] = kind;
  buf[6] = buf[7] = 0;
}

/** putVarint writes v (floored, capped at the largest safe integer) at pos; it returns the position after it. */
function putVarint(buf: Uint8Array, pos: number, v: number): number {
  v = Math.min(Math.floor(v), Number.MAX_SAFE_INTEGER);
  while (v >= 0x80) {
    buf[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[pos++] = v;
  return pos;
}

/** readHeader checks a message's fixed header (magic, version, kind, flags within allowedFlags) and leaves
 * the reader after it; it returns the flags. Every version up to PROTOCOL_VERSION is read: a probe's spool
 * may still hold frames an older probe wrote. */
function readHeader(r: FrameReader, kind: number, allowedFlags: number, what: string): number {
  const bytes = r.bytes;
  r.need(HEADER_FIXED + 1, 'header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== FRAME_MAGIC) throw new ProtocolError('PROTO_ERR_BAD_MAGIC', `not a hostflow ${what}`, 0);
  if (bytes[4] < 1 || bytes[4] > PROTOCOL_VERSION) throw new ProtocolError('PROTO_ERR_BAD_VERSION', `version ${bytes[4]}, expected 1..${PROTOCOL_VERSION}`, 4);
  if (bytes[5] !== kind) throw new ProtocolError('PROTO_ERR_BAD_KIND', `kind ${bytes[5]}`, 5);
  const flags = view.getUint16(6);
  if ((flags & ~allowedFlags) !== 0) throw new ProtocolError('PROTO_ERR_BAD_FLAGS', `flags 0x${flags.toString(16)}`, 6);
  r.pos = HEADER_FIXED;
  return flags;
}

/** nonZero counts a sketch's values (exact) or its non-zero registers. */
function nonZero(s: SketchSource): number {
  const a = s.registers ?? s.exact!;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  return n;
}

/** FrameReader reads varints and bytes with a bounds check on each. */
class FrameReader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}

  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) throw new ProtocolError('PROTO_ERR_TRUNCATED', `${what} needs ${n} bytes`, this.pos);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  varint(what: string): number {
    let v = 0, scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8(what);
      v += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (v > Number.MAX_SAFE_INTEGER) break;
        return v;
      }
      scale *= 0x80;
    }
    throw new ProtocolError('PROTO_ERR_BAD_VARINT', `${what} is not a varint of a safe integer`, this.pos);
  }
}

/** readSketch reads one sketch, checking its form, sizes, values and ranks; budget counts the frame's register sketches. */
function readSketch(r: FrameReader, budget: { registerSketches: number }, ports = false): DistinctSketch {
  const at = r.pos;
  const bad = (why: string) => new ProtocolError('PROTO_ERR_BAD_SKETCH', why, at);
  const form = r.u8('sketch form');
  if (form === SKETCH_WIRE_PORTS && ports) {
    const k = r.varint('port count'), raw = r.varint('value count');
    if (k + raw < 1 || k + raw > SKETCH_EXACT_LIMIT) throw bad(`a port set of ${k + raw} values (1..${SKETCH_EXACT_LIMIT})`);
    const values = new Uint32Array(k + raw);
    for (let i = 0, p = -1; i < k; i++) {
      p += r.varint('port gap') + 1;
      if (p > 65535) throw bad(`port ${p}`);
      values[i] = portValue(p);
    }
    r.need(raw * 4, 'sketch values');
    const view = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.pos, raw * 4);
    for (let i = 0; i < raw; i++) if ((values[k + i] = view.getUint32(i * 4)) === 0) throw bad('a sketch value of 0');
    r.pos += raw * 4;
    const sketch = DistinctSketch.ofValues(values);
    if (sketch.exact?.length !== k + raw) throw bad('a port set with repeated values');
    return sketch;
  }
  if (form === SKETCH_WIRE_EXACT) {
    const n = r.varint('sketch size');
    if (n < 1 || n > SKETCH_EXACT_LIMIT) throw bad(`an exact sketch of ${n} values (1..${SKETCH_EXACT_LIMIT})`);
    r.need(n * 4, 'sketch values');
    const values = new Uint32Array(n);
    const view = new DataView(r.bytes.buffer, r.bytes.byteOffset + r.pos, n * 4);
    for (let i = 0; i < n; i++) if ((values[i] = view.getUint32(i * 4)) === 0) throw bad('a sketch value of 0');
    r.pos += n * 4;
    const sketch = DistinctSketch.ofValues(values);
    if (sketch.exact?.length !== n) throw bad('an exact sketch with repeated values');
    return sketch;
  }
  if (form !== SKETCH_WIRE_SPARSE && form !== SKETCH_WIRE_DENSE) throw bad(`sketch form ${form}`);
  if (++budget.registerSketches > MAX_FRAME_REGISTER_SKETCHES) {
    throw new ProtocolError('PROTO_ERR_TOO_MANY_SKETCHES', `more than ${MAX_FRAME_REGISTER_SKETCHES} HyperLogLog sketches`, at);
  }
  const registers = new Uint8Array(SKETCH_REGISTERS);
  if (form === SKETCH_WIRE_SPARSE) {
    const k = r.varint('sketch registers');
    if (k < 1 || k > SPARSE_LIMIT) throw bad(`a sparse sketch of ${k} registers (1..${SPARSE_LIMIT})`);
    let i = -1;
    for (let n = 0; n < k; n++) {
      i += r.varint('register gap') + 1;
      const rank = r.u8('register rank');
      if (i >= SKETCH_REGISTERS || rank < 1 || rank > SKETCH_MAX_RANK) throw bad(`register ${i} of rank ${rank}`);
      registers[i] = rank;
    }
  } else {
    r.need(SKETCH_REGISTERS, 'sketch registers');
    registers.set(r.bytes.subarray(r.pos, r.pos + SKETCH_REGISTERS));
    r.pos += SKETCH_REGISTERS;
    if (registers.some((rank) => rank > SKETCH_MAX_RANK)) throw bad(`a register rank above ${SKETCH_MAX_RANK}`);
    if (!registers.some((rank) => rank > 0)) throw bad('a dense sketch with no register set');
  }
  return DistinctSketch.ofRegisters(registers);
}

/** encodeAck writes an acknowledgement: the header (kind FRAME_KIND_ACK, no flags), then the sequence as a varint. */
export function encodeAck(sequence: number): Uint8Array {
  const out = new Uint8Array(HEADER_FIXED + MAX_VARINT_BYTES);
  putHeader(out, FRAME_KIND_ACK);
  return out.slice(0, putVarint(out, HEADER_FIXED, sequence));
}

/** decodeAck reads an acknowledgement's sequence; it throws ProtocolError. */
export function decodeAck(bytes: Uint8Array): number {
  const r = new FrameReader(bytes);
  readHeader(r, FRAME_KIND_ACK, 0, 'acknowledgement');
  const sequence = r.varint('sequence');
  if (r.pos !== bytes.length) throw new ProtocolError('PROTO_ERR_TRAILING_BYTES', `${bytes.length - r.pos} bytes after the ack`, r.pos);
  return sequence;
}

const sketchWriter = new FrameWriter();

/** encodeSketch writes a sketch in its compact wire form: exact values, sparse or dense registers. */
export function encodeSketch(s: SketchSource): Uint8Array {
  return sketchWriter.sketchBytes(s);
}

/** decodeSketch reads what encodeSketch wrote, with the frame decoder's checks; it throws ProtocolError. */
export function decodeSketch(bytes: Uint8Array): DistinctSketch {
  const r = new FrameReader(bytes);
  const sketch = readSketch(r, { registerSketches: 0 });
  if (r.pos !== bytes.length) throw new ProtocolError('PROTO_ERR_BAD_SKETCH', `${bytes.length - r.pos} bytes after a sketch`, r.pos);
  return sketch;
}

/** decodeFrame checks and decodes a whole frame; it throws ProtocolError and returns nothing partial. */
export function decodeFrame(bytes: Uint8Array): WindowFrame {
  const r = new FrameReader(bytes);
  const flags = readHeader(r, FRAME_KIND_WINDOW, FLAG_MORE_PARTS, 'frame');
  const version = bytes[4];
  const idLength = r.u8('probe id length');
  if (idLength < 1 || idLength > MAX_PROBE_ID_BYTES) throw new ProtocolError('PROTO_ERR_BAD_PROBE_ID', `probe id of ${idLength} bytes`, 8);
  r.need(idLength, 'probe id');
  let probeId: string;
  try {
    probeId = decoder.decode(bytes.subarray(r.pos, r.pos + idLength));
  } catch {
    throw new ProtocolError('PROTO_ERR_BAD_PROBE_ID', 'probe id is not UTF-8', r.pos);
  }
  r.pos += idLength;
  const windowStart = r.varint('window start');
  const windowLength = r.varint('window length');
  if (windowLength < 1000 || windowStart % windowLength !== 0) {
    throw new ProtocolError('PROTO_ERR_BAD_WINDOW', `window ${windowStart}+${windowLength} is not aligned or shorter than 1 s`, r.pos);
  }
  if (version >= 2 && windowStart > MAX_WIRE_TIME) throw new ProtocolError('PROTO_ERR_BAD_WINDOW', `window start ${windowStart} is past 2^51 ms`, r.pos);
  const sequence = r.varint('sequence');
  const statCount = r.varint('stat count');
  if (statCount > MAX_STATS) throw new ProtocolError('PROTO_ERR_TOO_MANY_STATS', `${statCount} probe stats announced`, r.pos);
  const stats: number[] = [];
  for (let i = 0; i < statCount; i++) stats.push(r.varint('probe stat'));
  const exporterCount = r.varint('exporter count');
  if (exporterCount > MAX_FRAME_EXPORTERS) throw new ProtocolError('PROTO_ERR_TOO_MANY_EXPORTERS', `${exporterCount} exporters announced`, r.pos);
  const exporters: ExporterReport[] = [];
  for (let i = 0; i < exporterCount; i++) {
    const familyAt = r.pos;
    const family = r.u8('exporter address family');
    const length = family === FAMILY_IPV4 ? 4 : family === FAMILY_IPV6 ? 16 : -1;
    if (length < 0) throw new ProtocolError('PROTO_ERR_BAD_FAMILY', `exporter address family ${family}`, familyAt);
    r.need(length, 'exporter address');
    const address = length === 4 ? formatV4(bytes, r.pos) : formatV6(bytes, r.pos);
    r.pos += length;
    const n = r.varint('exporter stat count');
    if (n > MAX_STATS) throw new ProtocolError('PROTO_ERR_TOO_MANY_STATS', `${n} exporter stats announced`, r.pos);
    const values: number[] = [];
    for (let k = 0; k < n; k++) values.push(r.varint('exporter stat'));
    exporters.push({ address, stats: values });
  }
  const hostCount = r.varint('host count');
  // Each entry takes at least 2 bytes: refuse counts the frame cannot hold before allocating anything.
  if (hostCount > MAX_FRAME_HOSTS) throw new ProtocolError('PROTO_ERR_TOO_MANY_HOSTS', `${hostCount} hosts announced, at most ${MAX_FRAME_HOSTS}`, r.pos);
  if (hostCount * 2 > bytes.length - r.pos) {
    throw new ProtocolError('PROTO_ERR_TRUNCATED', `${hostCount} hosts announced, but only ${bytes.length - r.pos} bytes follow (each host takes at least 2)`, r.pos);
  }
  const hosts: HostDelta[] = new Array(hostCount);
  const budget = { registerSketches: 0 };
  for (let h = 0; h < hostCount; h++) {
    const familyAt = r.pos;
    const family = r.u8('address family');
    let host: string;
    if (family === FAMILY_IPV4) {
      r.need(4, 'IPv4 address');
      host = formatV4(bytes, r.pos);
      r.pos += 4;
    } else if (family === FAMILY_IPV6) {
      r.need(16, 'IPv6 address');
      host = formatV6(bytes, r.pos);
      r.pos += 16;
    } else if (family === FAMILY_OVERFLOW) {
      host = OVERFLOW_HOST;
    } else {
      throw new ProtocolError('PROTO_ERR_BAD_FAMILY', `address family ${family}`, familyAt);
    }
    const mask = r.varint('presence mask');
    if (mask >= 2 ** (HOST_FIELD_COUNT + DISTINCT_COUNT)) throw new ProtocolError('PROTO_ERR_BAD_MASK', `presence mask names fields beyond the ${HOST_FIELD_COUNT + DISTINCT_COUNT} known`, r.pos);
    const values = new Float64Array(HOST_FIELD_COUNT);
    let bits = mask % 2 ** HOST_FIELD_COUNT;
    for (let i = 0; bits > 0; i++, bits = Math.floor(bits / 2)) if (bits % 2 === 1) values[i] = r.varint('host value');
    if (version >= 2) relativeTimes(values, mask, windowStart, r.pos);
    const distinct: (DistinctSketch | undefined)[] = new Array(DISTINCT_COUNT);
    bits = Math.floor(mask / 2 ** HOST_FIELD_COUNT);
    for (let j = 0; j < DISTINCT_COUNT; j++, bits = Math.floor(bits / 2)) if (bits % 2 === 1) distinct[j] = readSketch(r, budget, version >= 2 && PORT_SETS[j]);
    hosts[h] = { host, values, distinct };
  }
  if (r.pos !== bytes.length) throw new ProtocolError('PROTO_ERR_TRAILING_BYTES', `${bytes.length - r.pos} bytes after the last host`, r.pos);
  return { probeId, windowStart, windowLength, sequence, stats, exporters, hosts, moreParts: (flags & FLAG_MORE_PARTS) !== 0 };
}

/** relativeTimes turns a version 2 entry's time offsets (zigzag: first seen from the window start, last seen
 * from first seen, or from the window start without it) into epoch ms; a time before 1970 or past
 * MAX_WIRE_TIME refuses the frame. */
function relativeTimes(values: Float64Array, mask: number, windowStart: number, at: number): void {
  const hasFirst = Math.floor(mask / 2 ** FIRST_SEEN) % 2 === 1, hasLast = Math.floor(mask / 2 ** LAST_SEEN) % 2 === 1;
  if (hasFirst) values[FIRST_SEEN] = checkedTime(windowStart + unzigzag(values[FIRST_SEEN]), at);
  if (hasLast) values[LAST_SEEN] = checkedTime((hasFirst ? values[FIRST_SEEN] : windowStart) + unzigzag(values[LAST_SEEN]), at);
}

function checkedTime(t: number, at: number): number {
  if (t <= 0 || t > MAX_WIRE_TIME) throw new ProtocolError('PROTO_ERR_BAD_TIME', `a first or last seen time of ${t}`, at);
  return t;
}
