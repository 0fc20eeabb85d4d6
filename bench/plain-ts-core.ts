// The WASM core's decode + aggregate path written in plain TypeScript, for the IPFIX templates softflowd
// sends (fixed-length fields only), to measure what WebAssembly buys. Kept only in bench/: same
// statistics (counters, TCP flags, protocols, first/last seen, four distinct-count sketches with the
// same seven-inline / exact-table / HyperLogLog forms), same memory discipline (typed arrays allocated
// once, no allocation per datagram or record). Hashing uses 32-bit Math.imul mixing, since 64-bit
// integer arithmetic in JavaScript means BigInt.

const IE = { octetDeltaCount: 1, packetDeltaCount: 2, protocolIdentifier: 4, tcpControlBits: 6, sourceTransportPort: 7,
  sourceIPv4Address: 8, destinationTransportPort: 11, destinationIPv4Address: 12, sourceIPv6Address: 27,
  destinationIPv6Address: 28, flowStartMilliseconds: 152, flowEndMilliseconds: 153 } as const;

/** A compiled template: the offset of each element used (-1: absent), its width, and the record length. */
interface Compiled {
  length: number;
  src: number; dst: number; addrWidth: number;
  srcPort: number; dstPort: number; proto: number; flags: number;
  octets: number; octetsWidth: number; packets: number; packetsWidth: number; start: number; end: number;
}

// Entry layout in a Float64Array (per host, F slots): six counters, first, last, 24 flag/protocol counts.
const F = 32;
const FIRST = 6, LAST = 7, TCP_OUT = 8, TCP_IN = 16, PROTO_OUT = 24, PROTO_IN = 28;
// Sketch heads in a Uint32Array (per host, 4 sketches x 8 words): 7 inline values, then meta (n | log2 << 16 | form << 24).
const HEAD = 8, INLINE = 7;
const FORM_INLINE = 1, FORM_EXACT = 2, FORM_HLL = 3;
const EXACT_LIMIT = 256, HLL_BITS = 15, REGISTERS = 1 << HLL_BITS;

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** PlainCore decodes IPFIX from one exporter and aggregates per host, like FlowCore. */
export class PlainCore {
  private readonly _templates = new Map<number, Compiled>();
  private readonly _keys: Uint32Array; // 4 words an entry.
  private readonly _values: Float64Array;
  private readonly _heads: Uint32Array;
  private readonly _index: Int32Array; // entry + 1, 0 empty.
  private readonly _mask: number;
  private readonly _arena: Uint32Array;
  private readonly _arenaBytes: Uint8Array;
  private _arenaTop = 0; // In words.
  private _used = 0;
  private readonly _key = new Uint32Array(8); // Source words 0..3, destination 4..7.
  records = 0;
  dropped = 0;

  constructor(readonly maxHosts = 200_000, sketchBytes = 64 << 20) {
    let cap = 16;
    while (cap < maxHosts * 2) cap <<= 1;
    this._index = new Int32Array(cap);
    this._mask = cap - 1;
    this._keys = new Uint32Array(maxHosts * 4);
    this._values = new Float64Array(maxHosts * F);
    this._heads = new Uint32Array(maxHosts * 4 * HEAD);
    this._arena = new Uint32Array(sketchBytes >>> 2);
    this._arenaBytes = new Uint8Array(this._arena.buffer);
  }

  /** ingest decodes one IPFIX message. */
  ingest(b: Uint8Array): void {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength); // One view a datagram, as Buffer slicing would cost.
    if (b.length < 16 || v.getUint16(0) !== 10) return;
    const end = Math.min(v.getUint16(2), b.length);
    for (let p = 16; p + 4 <= end;) {
      const id = v.getUint16(p), len = v.getUint16(p + 2);
      if (len < 4 || p + len > end) return;
      if (id === 2) this._templateSet(v, p + 4, p + len);
      else if (id >= 256) {
        const t = this._templates.get(id);
        if (t) for (let r = p + 4; r + t.length <= p + len; r += t.length) this._record(v, b, r, t);
      }
      p += len;
    }
  }

  private _templateSet(v: DataView, p: number, end: number): void {
    while (p + 4 <= end) {
      const id = v.getUint16(p), n = v.getUint16(p + 2);
      p += 4;
      const t: Compiled = { length: 0, src: -1, dst: -1, addrWidth: 4, srcPort: -1, dstPort: -1, proto: -1, flags: -1, octets: -1, octetsWidth: 0, packets: -1, packetsWidth: 0, start: -1, end: -1 };
      for (let k = 0; k < n && p + 4 <= end; k++, p += 4) {
        const ie = v.getUint16(p) & 0x7fff, w = v.getUint16(p + 2);
        if (v.getUint16(p) & 0x8000) p += 4; // Enterprise number: skipped.
        const at = t.length;
        if (ie === IE.sourceIPv4Address || ie === IE.sourceIPv6Address) { t.src = at; t.addrWidth = w; }
        else if (ie === IE.destinationIPv4Address || ie === IE.destinationIPv6Address) t.dst = at;
        else if (ie === IE.sourceTransportPort) t.srcPort = at;
        else if (ie === IE.destinationTransportPort) t.dstPort = at;
        else if (ie === IE.protocolIdentifier) t.proto = at;
        else if (ie === IE.tcpControlBits) t.flags = at;
        else if (ie === IE.octetDeltaCount) { t.octets = at; t.octetsWidth = w; }
        else if (ie === IE.packetDeltaCount) { t.packets = at; t.packetsWidth = w; }
        else if (ie === IE.flowStartMilliseconds) t.start = at;
        else if (ie === IE.flowEndMilliseconds) t.end = at;
        t.length += w;
      }
      this._templates.set(id, t);
    }
  }

  private _record(v: DataView, b: Uint8Array, r: number, t: Compiled): void {
    this.records++;
    const key = this._key;
    readAddress(v, r + t.src, t.addrWidth, key, 0);
    readAddress(v, r + t.dst, t.addrWidth, key, 4);
    const octets = readUint(v, r + t.octets, t.octetsWidth), packets = readUint(v, r + t.packets, t.packetsWidth);
    const start = t.start >= 0 ? readUint(v, r + t.start, 8) : 0, end = t.end >= 0 ? readUint(v, r + t.end, 8) : 0;
    const proto = t.proto >= 0 ? b[r + t.proto] : 255, flags = t.flags >= 0 ? b[r + t.flags] : 0;
    const ported = t.dstPort >= 0 && (proto === 6 || proto === 17 || proto === 132);
    const port = ported ? fmix(v.getUint16(r + t.dstPort) ^ 0x50525400) || 1 : 0;
    const hs = hash4(key, 0), hd = hash4(key, 4);
    const peerS = fmix(hs ^ 0x9e3779b9) || 1, peerD = fmix(hd ^ 0x9e3779b9) || 1;
    this._account(this._entry(0, hs), 0, packets, octets, start, end, proto, flags, peerD, port);
    this._account(this._entry(4, hd), 3, packets, octets, start, end, proto, flags, peerS, port);
  }

  private _entry(at: number, h: number): number {
    const k = this._key, keys = this._keys;
    let i = h & this._mask;
    for (;;) {
      const ref = this._index[i];
      if (ref === 0) break;
      const e = ref - 1;
      if (keys[e * 4] === k[at] && keys[e * 4 + 1] === k[at + 1] && keys[e * 4 + 2] === k[at + 2] && keys[e * 4 + 3] === k[at + 3]) return e;
      i = (i + 1) & this._mask;
    }
    if (this._used >= this.maxHosts) return this.maxHosts - 1; // The last entry stands in for the overflow entry.
    const e = this._used++;
    keys.set(k.subarray(at, at + 4), e * 4);
    this._index[i] = e + 1;
    return e;
  }

  /** _account adds one flow to entry e, direction 0 (out) or 3 (in). */
  private _account(e: number, dir: number, packets: number, octets: number, start: number, end: number, proto: number, flags: number, peer: number, port: number): void {
    const v = this._values, o = e * F;
    v[o + dir]++;
    v[o + dir + 1] += packets;
    v[o + dir + 2] += octets;
    if (v[o + FIRST] === 0 || start < v[o + FIRST]) v[o + FIRST] = start;
    if (end > v[o + LAST]) v[o + LAST] = end;
    const tcp = dir === 0 ? TCP_OUT : TCP_IN, protos = dir === 0 ? PROTO_OUT : PROTO_IN;
    if (proto === 6) {
      for (let bits = flags; bits !== 0; bits &= bits - 1) v[o + tcp + 31 - Math.clz32(bits & -bits)]++;
      v[o + protos]++;
    } else v[o + protos + (proto === 17 ? 1 : proto === 1 || proto === 58 ? 2 : 3)]++;
    const heads = (e * 4 + (dir === 0 ? 0 : 1)) * HEAD;
    this._add(heads, peer);
    if (port !== 0) this._add(heads + 2 * HEAD, port);
  }

  private _add(h: number, value: number): void {
    const heads = this._heads, meta = heads[h + INLINE];
    const form = meta >>> 24, n = meta & 0xffff;
    if (form === FORM_HLL) return addRegister(this._arenaBytes, heads[h] * 4, value);
    if (form !== FORM_EXACT) {
      for (let i = 0; i < n; i++) if (heads[h + i] === value) return;
      if (n < INLINE) {
        heads[h + n] = value;
        heads[h + INLINE] = (n + 1) | (FORM_INLINE << 24);
        return;
      }
      const table = this._take(16);
      if (table < 0) { this.dropped++; return; }
      for (let i = 0; i < INLINE; i++) insert(this._arena, table, 15, heads[h + i]);
      insert(this._arena, table, 15, value);
      heads.fill(0, h, h + INLINE);
      heads[h] = table;
      heads[h + INLINE] = (INLINE + 1) | (4 << 16) | (FORM_EXACT << 24);
      return;
    }
    let table = heads[h], log2 = (meta >>> 16) & 0xff;
    const a = this._arena;
    for (let i = value & ((1 << log2) - 1); ; i = (i + 1) & ((1 << log2) - 1)) {
      if (a[table + i] === value) return;
      if (a[table + i] === 0) break;
    }
    if (n === EXACT_LIMIT) {
      const regs = this._take(REGISTERS / 4);
      if (regs < 0) { this.dropped++; return; }
      for (let i = 0; i < 1 << log2; i++) if (a[table + i] !== 0) addRegister(this._arenaBytes, regs * 4, a[table + i]);
      addRegister(this._arenaBytes, regs * 4, value);
      heads[h] = regs;
      heads[h + INLINE] = FORM_HLL << 24;
      return;
    }
    if ((n + 1) * 2 > 1 << log2) {
      const bigger = this._take(2 << log2);
      if (bigger < 0) { this.dropped++; return; }
      for (let i = 0; i < 1 << log2; i++) if (a[table + i] !== 0) insert(a, bigger, (2 << log2) - 1, a[table + i]);
      table = bigger;
      log2++;
      heads[h] = table;
    }
    insert(a, table, (1 << log2) - 1, value);
    heads[h + INLINE] = (n + 1) | (log2 << 16) | (FORM_EXACT << 24);
  }

  private _take(words: number): number {
    if (this._arenaTop + words > this._arena.length) return -1;
    const p = this._arenaTop;
    this._arenaTop += words;
    this._arena.fill(0, p, p + words);
    return p;
  }

  /** closeWindow returns the window's hosts and empties the table (cost: the hosts touched). */
  closeWindow(): number {
    const n = this._used;
    this._index.fill(0); // Simpler than the core's per-slot clear; a window is rare next to its records.
    this._values.fill(0, 0, n * F);
    this._heads.fill(0, 0, n * 4 * HEAD);
    this._used = 0;
    this._arenaTop = 0;
    return n;
  }

  /** row reads entry e's six counters and its first/last seen (for checking against the WASM core). */
  hostCounters(): Map<string, number[]> {
    const out = new Map<string, number[]>();
    for (let e = 0; e < this._used; e++) {
      const k = this._keys.subarray(e * 4, e * 4 + 4);
      out.set(`${k[0]}.${k[1]}.${k[2]}.${k[3]}`, Array.from(this._values.subarray(e * F, e * F + 6)));
    }
    return out;
  }
}

function readAddress(v: DataView, p: number, width: number, out: Uint32Array, at: number): void {
  if (width === 4) {
    out[at] = 0; out[at + 1] = 0; out[at + 2] = 0xffff; out[at + 3] = v.getUint32(p);
  } else {
    out[at] = v.getUint32(p); out[at + 1] = v.getUint32(p + 4); out[at + 2] = v.getUint32(p + 8); out[at + 3] = v.getUint32(p + 12);
  }
}

function readUint(v: DataView, p: number, width: number): number {
  if (width === 8) return v.getUint32(p) * 0x1_0000_0000 + v.getUint32(p + 4);
  if (width === 4) return v.getUint32(p);
  if (width === 2) return v.getUint16(p);
  let x = 0;
  for (let i = 0; i < width; i++) x = x * 256 + v.getUint8(p + i);
  return x;
}

function hash4(k: Uint32Array, at: number): number {
  return fmix(Math.imul(fmix(k[at] ^ 0x2545f491) ^ k[at + 1], 0x9e3779b1) ^ fmix(k[at + 2] ^ Math.imul(k[at + 3], 0x85ebca77)));
}

function insert(a: Uint32Array, table: number, mask: number, value: number): void {
  let i = value & mask;
  while (a[table + i] !== 0) i = (i + 1) & mask;
  a[table + i] = value;
}

function addRegister(bytes: Uint8Array, at: number, value: number): void {
  const i = at + (value >>> (32 - HLL_BITS));
  const rank = Math.clz32(((value << HLL_BITS) | (1 << (HLL_BITS - 1))) >>> 0) + 1;
  if (rank > bytes[i]) bytes[i] = rank;
}
