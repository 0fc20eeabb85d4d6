// The window's host entries in the frame's wire form (docs/protocol.md; src/protocol/frame.ts writes the
// same bytes in TypeScript, and a test holds the two to it). Encoding here, where the entries are, takes
// about a tenth of the time of reading them into JavaScript objects first, and needs no JIT warm-up: the
// close of a window is what stalls the receive path, so it must be short from the first window on.
import {
  DELTA_RECORD_SIZE, DELTA_OFF_FLAGS, DELTA_FLAG_OVERFLOW, DELTA_OFF_FIRST_SEEN, DELTA_OFF_LAST_SEEN,
  DELTA_OFF_FLOWS_OUT, DELTA_OFF_PACKETS_OUT, DELTA_OFF_BYTES_OUT, DELTA_OFF_FLOWS_IN, DELTA_OFF_PACKETS_IN, DELTA_OFF_BYTES_IN,
  DELTA_OFF_TCP_OUT, DELTA_OFF_TCP_IN, DELTA_OFF_PROTO_OUT, DELTA_OFF_PROTO_IN,
  DELTA_OFF_PEERS_OUT, DELTA_OFF_PEERS_IN, DELTA_OFF_PORTS_OUT, DELTA_OFF_PORTS_IN,
  SKETCH_INLINE, SKETCH_EXACT, SKETCH_HLL, SKETCH_SPARSE, SKETCH_HLL_BITS, SKETCH_EXACT_LIMIT,
} from "../abi";
import { portValue } from "./sketch";
import { allocRegion } from "../memory";
import { entriesPtr, entryCount } from "./host-table";

const FAMILY_OVERFLOW: u8 = 0;
const FAMILY_IPV4: u8 = 4;
const FAMILY_IPV6: u8 = 6;
const WIRE_EXACT: u8 = 1; // varint n, n x u32 big-endian values
const WIRE_SPARSE: u8 = 2; // varint k, k x (varint index gap, u8 rank): the non-zero registers, ascending
const WIRE_DENSE: u8 = 3; // the registers
const WIRE_PORTS: u8 = 4; // varint k, varint r, k ports ascending (varint gaps), r x u32 values: a port set
const REGISTERS: usize = 1 << SKETCH_HLL_BITS;
const SPARSE_LIMIT: u32 = <u32>(REGISTERS / 3); // Sparse while it is smaller than dense.
const MAX_SAFE: u64 = 9007199254740991; // The wire's varints carry JavaScript's safe integers.
const MAX_WIRE_TIME: f64 = 2251799813685248; // 2^51 ms: the times' zigzag offsets stay safe integers.
const FIRST_SEEN: u32 = 30; // Bits 0..31 of the presence mask are the values, 30 and 31 the times; 32..35 the sketches.
const PORT_SLOTS: u32 = 1 << 17; // The port of each port value, in a table half full (256 KiB).
const NO_PORT: u16 = 0xffff; // An empty slot; port 65535 itself is checked apart.
// What one host can take: family and address, a mask, 32 values, four sketches in their largest form (a
// sparse one of SPARSE_LIMIT registers, each a gap of up to 3 bytes and a rank).
const HOST_MAX_BYTES: usize = 1 + 16 + 8 + 32 * 8 + 4 * (1 + 16 + <usize>SPARSE_LIMIT * 4);
const CHUNK_BYTES: usize = 1 << 20; // encodeHosts() writes at most about this much per call.

let out: usize = 0;
let outEnd: usize = 0;
let scratch: usize = 0; // A sparse sketch's registers, expanded; a port set's ports, sorted.
let portSlots: usize = 0; // PORT_SLOTS u16: a port, at the slot its value picks (NO_PORT: none)
let lastPortValue: u32 = 0; // The value of port 65535.
let windowStart: f64 = 0;
let written: u32 = 0;
let registerSketches: u32 = 0;

export function initFrameHosts(): void {
  out = allocRegion(CHUNK_BYTES + HOST_MAX_BYTES);
  scratch = allocRegion(REGISTERS);
  portSlots = allocRegion(PORT_SLOTS << 1);
  memory.fill(portSlots, 0xff, PORT_SLOTS << 1);
  lastPortValue = portValue(65535);
  for (let port: u32 = 0; port < 65535; port++) {
    const v = portValue(port);
    if (portOf(v) >= 0) continue; // No two ports share a value today; the lowest would win.
    let i = v & (PORT_SLOTS - 1);
    while (load<u16>(portSlots + (<usize>i << 1)) != NO_PORT) i = (i + 1) & (PORT_SLOTS - 1);
    store<u16>(portSlots + (<usize>i << 1), <u16>port);
  }
}

// portOf is the lowest port whose sketch value is v, or -1 if none has it (a value from elsewhere: the
// core's port sets never hold one). A slot holds only the port; its value is mixed again to compare.
function portOf(v: u32): i32 {
  let i = v & (PORT_SLOTS - 1);
  for (let port = load<u16>(portSlots + (<usize>i << 1)); port != NO_PORT; port = load<u16>(portSlots + (<usize>i << 1))) {
    if (portValue(port) == v) return <i32>port;
    i = (i + 1) & (PORT_SLOTS - 1);
  }
  return v == lastPortValue ? 65535 : -1;
}

export function encodedAddress(): usize { return out; }
// encodedBytes and encodedRegisterSketches describe what the last encodeHosts() wrote.
export function encodedBytes(): u32 { return written; }
export function encodedRegisterSketches(): u32 { return registerSketches; }

// encodeHosts writes the entries [from, to) of the window being closed (start: its epoch ms, from which
// the times are offsets), stopping before a host once maxHosts are written, once the HyperLogLog sketches
// written exceed maxRegisterSketches - 4 (a host has at most four), or once maxBytes (at most
// CHUNK_BYTES) are; it returns the next entry to write.
export function encodeHosts(from: u32, to: u32, maxHosts: u32, maxRegisterSketches: u32, maxBytes: u32, start: f64): u32 {
  if (to > entryCount()) to = entryCount(); // Only the window's entries.
  windowStart = start;
  const limit = <usize>min(maxBytes, <u32>CHUNK_BYTES);
  let p = out;
  let k = from;
  registerSketches = 0;
  while (k < to && k - from < maxHosts && registerSketches + 4 <= maxRegisterSketches && p - out < limit) {
    p = encodeHost(entriesPtr() + <usize>k * DELTA_RECORD_SIZE, p);
    k++;
  }
  written = <u32>(p - out);
  return k;
}

function encodeHost(e: usize, p: usize): usize {
  if (load<u32>(e, DELTA_OFF_FLAGS) & DELTA_FLAG_OVERFLOW) {
    store<u8>(p++, FAMILY_OVERFLOW);
  } else if (load<u64>(e) == 0 && load<u32>(e, 8) == 0xffff0000) { // ::ffff:a.b.c.d
    store<u8>(p++, FAMILY_IPV4);
    store<u32>(p, load<u32>(e, 12));
    p += 4;
  } else {
    store<u8>(p++, FAMILY_IPV6);
    memory.copy(p, e, 16);
    p += 16;
  }
  const first = wireTime(load<f64>(e, DELTA_OFF_FIRST_SEEN)), last = wireTime(load<f64>(e, DELTA_OFF_LAST_SEEN));
  let mask: u64 = (first > 0 ? <u64>1 << FIRST_SEEN : 0) | (last > 0 ? <u64>1 << (FIRST_SEEN + 1) : 0);
  for (let i: u32 = 0; i < FIRST_SEEN; i++) if (valueAt(e, i) > 0) mask |= <u64>1 << i;
  const s0 = sketchSize(e + DELTA_OFF_PEERS_OUT), s1 = sketchSize(e + DELTA_OFF_PEERS_IN);
  const s2 = sketchSize(e + DELTA_OFF_PORTS_OUT), s3 = sketchSize(e + DELTA_OFF_PORTS_IN);
  if (s0) mask |= <u64>1 << 32;
  if (s1) mask |= <u64>1 << 33;
  if (s2) mask |= <u64>1 << 34;
  if (s3) mask |= <u64>1 << 35;
  p = varint(p, mask);
  for (let i: u32 = 0; i < FIRST_SEEN; i++) {
    const v = valueAt(e, i);
    if (v > 0) p = varint(p, <u64>Math.floor(min(v, <f64>MAX_SAFE)));
  }
  // The two times as zigzag offsets: first seen from the window start, last seen from first seen.
  if (first > 0) p = varint(p, zigzag(first - windowStart));
  if (last > 0) p = varint(p, zigzag(last - (first > 0 ? first : windowStart)));
  if (s0) p = sketch(e + DELTA_OFF_PEERS_OUT, s0, p, false);
  if (s1) p = sketch(e + DELTA_OFF_PEERS_IN, s1, p, false);
  if (s2) p = sketch(e + DELTA_OFF_PORTS_OUT, s2, p, true);
  if (s3) p = sketch(e + DELTA_OFF_PORTS_IN, s3, p, true);
  return p;
}

// wireTime is an epoch-ms time as the frame carries it: whole ms, at most MAX_WIRE_TIME; 0 is none.
@inline function wireTime(t: f64): f64 {
  return t > 0 ? Math.floor(min(t, MAX_WIRE_TIME)) : 0;
}

// zigzag maps a whole, signed offset to the unsigned varint value: 0, -1, 1, -2 ... as 0, 1, 2, 3 ...
@inline function zigzag(d: f64): u64 {
  return d >= 0 ? <u64>(d * 2) : <u64>(-d * 2 - 1);
}

// valueAt is the entry's value of HOST_FIELDS[i] (src/protocol/messages.ts) for i < FIRST_SEEN.
@inline function valueAt(e: usize, i: u32): f64 {
  if (i < 6) {
    const at = i == 0 ? DELTA_OFF_FLOWS_OUT : i == 1 ? DELTA_OFF_PACKETS_OUT : i == 2 ? DELTA_OFF_BYTES_OUT
      : i == 3 ? DELTA_OFF_FLOWS_IN : i == 4 ? DELTA_OFF_PACKETS_IN : DELTA_OFF_BYTES_IN;
    return <f64>load<u64>(e + at);
  }
  if (i < 14) return <f64>load<u32>(e + DELTA_OFF_TCP_OUT + ((i - 6) << 2));
  if (i < 22) return <f64>load<u32>(e + DELTA_OFF_TCP_IN + ((i - 14) << 2));
  if (i < 26) return <f64>load<u32>(e + DELTA_OFF_PROTO_OUT + ((i - 22) << 2));
  return <f64>load<u32>(e + DELTA_OFF_PROTO_IN + ((i - 26) << 2));
}

// sketchSize is how many values (exact forms) or non-zero registers (HyperLogLog forms) a set has; a
// sparse table's entries are its non-zero registers (a rank is never 0).
function sketchSize(head: usize): u32 {
  const form = <u32>load<u8>(head, 31);
  if (form == SKETCH_INLINE) return <u32>load<u16>(head, 28);
  const at = <usize>load<u32>(head);
  if (form == SKETCH_EXACT) return nonZeroWords(at, <usize>1 << load<u8>(head, 30));
  if (form == SKETCH_HLL) return nonZeroBytes(at);
  if (form == SKETCH_SPARSE) return nonZeroWords(at, <usize>1 << load<u8>(head, 30));
  return 0;
}

function nonZeroWords(at: usize, n: usize): u32 {
  let c: u32 = 0;
  for (let i: usize = 0; i < n; i++) if (load<u32>(at + (i << 2)) != 0) c++;
  return c;
}

function nonZeroBytes(at: usize): u32 {
  let c: u32 = 0;
  for (let i: usize = 0; i < REGISTERS; i++) if (load<u8>(at + i) != 0) c++;
  return c;
}

// sketch writes a non-empty set of n values or registers in its wire form; an exact set of ports as ports.
function sketch(head: usize, n: u32, p: usize, ports: bool): usize {
  const form = <u32>load<u8>(head, 31);
  const at = <usize>load<u32>(head);
  if ((form == SKETCH_INLINE || form == SKETCH_EXACT) && ports) return portSet(head, n, p);
  if (form == SKETCH_INLINE || form == SKETCH_EXACT) {
    store<u8>(p++, WIRE_EXACT);
    p = varint(p, <u64>n);
    const values = form == SKETCH_INLINE ? head : at;
    const slots: usize = form == SKETCH_INLINE ? <usize>n : <usize>1 << load<u8>(head, 30);
    for (let i: usize = 0; i < slots; i++) {
      const v = load<u32>(values + (i << 2));
      if (v == 0) continue;
      store<u32>(p, bswap(v));
      p += 4;
    }
    return p;
  }
  registerSketches++;
  let regs = at;
  if (form == SKETCH_SPARSE) { // Entries (index + 1) << 5 | rank, in a table of 2^log2 slots.
    memory.fill(scratch, 0, REGISTERS);
    const slots: usize = <usize>1 << load<u8>(head, 30);
    for (let i: usize = 0; i < slots; i++) {
      const w = load<u32>(at + (i << 2));
      if (w != 0) store<u8>(scratch + <usize>((w >>> 5) - 1), <u8>(w & 31));
    }
    regs = scratch; // n, the table's entries, is its non-zero registers.
  }
  if (n > SPARSE_LIMIT) {
    store<u8>(p++, WIRE_DENSE);
    memory.copy(p, regs, REGISTERS);
    return p + REGISTERS;
  }
  store<u8>(p++, WIRE_SPARSE);
  p = varint(p, <u64>n);
  let last: i32 = -1;
  for (let i: usize = 0; i < REGISTERS; i++) {
    const r = load<u8>(regs + i);
    if (r == 0) continue;
    p = varint(p, <u64>(<i32>i - last - 1));
    store<u8>(p++, r);
    last = <i32>i;
  }
  return p;
}

// portSet writes an exact set of n port values as its ports, ascending (gaps), then any value no port has.
function portSet(head: usize, n: u32, p: usize): usize {
  const form = <u32>load<u8>(head, 31);
  const values = form == SKETCH_INLINE ? head : <usize>load<u32>(head);
  const slots: usize = form == SKETCH_INLINE ? <usize>n : <usize>1 << load<u8>(head, 30);
  // Known ports go to the front of the scratch, then are sorted; other values to its back.
  let k: u32 = 0, r: u32 = 0;
  const rawAt = scratch + (<usize>SKETCH_EXACT_LIMIT << 2);
  for (let i: usize = 0; i < slots; i++) {
    const v = load<u32>(values + (i << 2));
    if (v == 0) continue;
    const port = portOf(v);
    if (port < 0) {
      store<u32>(rawAt + (<usize>r << 2), v);
      r++;
      continue;
    }
    store<u32>(scratch + (<usize>k << 2), <u32>port);
    k++;
  }
  shellSort(scratch, k);
  store<u8>(p++, WIRE_PORTS);
  p = varint(p, <u64>k);
  p = varint(p, <u64>r);
  let last: i32 = -1;
  for (let i: u32 = 0; i < k; i++) {
    const port = <i32>load<u32>(scratch + (<usize>i << 2));
    p = varint(p, <u64>(port - last - 1));
    last = port;
  }
  for (let i: u32 = 0; i < r; i++) {
    store<u32>(p, bswap(load<u32>(rawAt + (<usize>i << 2))));
    p += 4;
  }
  return p;
}

// shellSort sorts n u32 at a, ascending (Ciura's gaps: a set has at most 256 values, where insertion sort
// alone would take up to 16,000 moves).
function shellSort(a: usize, n: u32): void {
  for (let g = n > 16 ? 0 : 4; g < 5; g++) { // Few values (most sets): insertion sort alone.
    const gap: u32 = g == 0 ? 57 : g == 1 ? 23 : g == 2 ? 10 : g == 3 ? 4 : 1;
    for (let i = gap; i < n; i++) {
      const v = load<u32>(a + (<usize>i << 2));
      let j = i;
      while (j >= gap && load<u32>(a + (<usize>(j - gap) << 2)) > v) {
        store<u32>(a + (<usize>j << 2), load<u32>(a + (<usize>(j - gap) << 2)));
        j -= gap;
      }
      store<u32>(a + (<usize>j << 2), v);
    }
  }
}

@inline function varint(p: usize, v: u64): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v & 0x7f) | 0x80);
    v >>= 7;
  }
  store<u8>(p++, <u8>v);
  return p;
}
