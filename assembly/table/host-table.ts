// Host table: per-window counters per address, open addressing over a dense entry array.
import {
  DELTA_RECORD_SIZE, DELTA_OFF_FLAGS, DELTA_OFF_FLOWS_OUT, DELTA_OFF_PACKETS_OUT, DELTA_OFF_BYTES_OUT,
  DELTA_OFF_FLOWS_IN, DELTA_OFF_PACKETS_IN, DELTA_OFF_BYTES_IN, DELTA_OFF_FIRST_SEEN, DELTA_OFF_LAST_SEEN,
  DELTA_FLAG_OVERFLOW, STAT_OVERFLOW_RECORDS, STAT_HOSTS, DELTA_OFF_TCP_OUT, DELTA_OFF_TCP_IN, DELTA_OFF_PROTO_OUT, DELTA_OFF_PROTO_IN,
  DELTA_OFF_PEERS_OUT, DELTA_OFF_PORTS_OUT, DELTA_OFF_PEERS_IN, DELTA_OFF_PORTS_IN,
} from "../abi";
import { allocRegion, count, setStat } from "../memory";
import { sketchAdd, resetSketches } from "./sketch";

// Layout: an index of u32 references (entry number + 1, 0 = empty), probed linearly from the key's
// hash, over a dense array of entries filled in arrival order. Every entry belongs to the current
// window, so closing a window reads entries [0, n) and clearing it touches only those n entries and
// their index slots (each entry remembers its slot): the cost follows the hosts seen, not the table size.
//
//   index  [ 0 | 3 | 0 | 1 | 0 | 2 | ... ]   capacity = power of two >= 2 * maxHosts
//   entries[ e0 | e1 | e2 | ... | e(maxHosts) ]   the last one is reserved for the overflow entry
//
// Entry (DELTA_RECORD_SIZE bytes, five cache lines, drawn in assembly/abi.ts): address, flags, slot,
// first/last seen and the flow counts on line 0; the out counters on line 1, the in counters on line 2;
// the sketch heads (table/sketch.ts) on lines 3 (out) and 4 (in).
const OFF_SLOT: usize = 20;

let index: usize = 0;
let indexMask: u32 = 0;
let entries: usize = 0;
let maxHosts: u32 = 0;
let used: u32 = 0; // Entries in use, the overflow entry included.
let overflowEntry: usize = 0; // 0 until a host finds the table full in this window.

// initHostTable allocates a table for at most maxHosts hosts per window (plus the overflow entry).
export function initHostTable(hosts: u32): void {
  maxHosts = hosts;
  let cap: u32 = 16;
  while (cap < hosts * 2) cap <<= 1;
  index = allocRegion(<usize>cap * 4);
  indexMask = cap - 1;
  entries = (allocRegion(<usize>(hosts + 1) * DELTA_RECORD_SIZE + 64) + 63) & ~<usize>63; // Cache-line aligned.
  used = 0;
  overflowEntry = 0;
}

// entriesPtr is where the window's entries start.
export function entriesPtr(): usize {
  return entries;
}

// entryFor finds or inserts the entry of the address given as two little-endian u64 halves, hashed to h.
@inline function entryFor(lo: u64, hi: u64, h: u64): usize {
  let i = <u32>h & indexMask;
  while (true) {
    const ref = load<u32>(index + (<usize>i << 2));
    if (ref == 0) break;
    const e = entries + <usize>(ref - 1) * DELTA_RECORD_SIZE;
    if (load<u64>(e) == lo && load<u64>(e, 8) == hi) return e;
    i = (i + 1) & indexMask;
  }
  if (used - (overflowEntry != 0 ? 1 : 0) >= maxHosts) return overflow();
  const e = entries + <usize>used * DELTA_RECORD_SIZE;
  used++;
  store<u64>(e, lo);
  store<u64>(e, hi, 8);
  store<u32>(e, i, OFF_SLOT);
  store<u32>(index + (<usize>i << 2), used);
  return e;
}

function overflow(): usize {
  count(STAT_OVERFLOW_RECORDS);
  if (overflowEntry == 0) {
    overflowEntry = entries + <usize>used * DELTA_RECORD_SIZE;
    used++;
    store<u32>(overflowEntry, DELTA_FLAG_OVERFLOW, DELTA_OFF_FLAGS);
  }
  return overflowEntry;
}

// PROTO_NONE: the record named no protocol; it counts in no protocol column.
export const PROTO_NONE: u32 = 0xffff;

// countFlags adds one flow to the counter of each TCP flag set (TCP records only), and to its protocol's.
@inline function countKinds(e: usize, tcpAt: usize, protoAt: usize, proto: u32, tcpFlags: u32): void {
  if (proto == PROTO_NONE) return;
  let bucket: usize = 3;
  if (proto == 6) {
    bucket = 0;
    let bits = tcpFlags & 0xff;
    while (bits != 0) {
      const bit = <usize>ctz(bits);
      const c = e + tcpAt + (bit << 2);
      store<u32>(c, load<u32>(c) + 1);
      bits &= bits - 1;
    }
  } else if (proto == 17) bucket = 1;
  else if (proto == 1 || proto == 58) bucket = 2;
  const c = e + protoAt + (bucket << 2);
  store<u32>(c, load<u32>(c) + 1);
}

@inline function touch(e: usize, firstMs: f64, lastMs: f64): void {
  const first = load<f64>(e, DELTA_OFF_FIRST_SEEN);
  if (first == 0 || firstMs < first) store<f64>(e, firstMs, DELTA_OFF_FIRST_SEEN);
  if (lastMs > load<f64>(e, DELTA_OFF_LAST_SEEN)) store<f64>(e, lastMs, DELTA_OFF_LAST_SEEN);
}

// The sketches of an entry: peers out (destination addresses), peers in (source addresses), destination
// ports out, local ports contacted in. A value of 0 means the record did not carry it.

// accountSource adds a flow sent by the address (lo, hi), hashed to h, to peer (a sketch value) on port.
export function accountSource(lo: u64, hi: u64, h: u64, flows: u64, packets: u64, octets: u64, firstMs: f64, lastMs: f64, proto: u32, tcpFlags: u32, peer: u32, port: u32): void {
  const e = entryFor(lo, hi, h);
  store<u64>(e, load<u64>(e, DELTA_OFF_FLOWS_OUT) + flows, DELTA_OFF_FLOWS_OUT);
  store<u64>(e, load<u64>(e, DELTA_OFF_PACKETS_OUT) + packets, DELTA_OFF_PACKETS_OUT);
  store<u64>(e, load<u64>(e, DELTA_OFF_BYTES_OUT) + octets, DELTA_OFF_BYTES_OUT);
  countKinds(e, DELTA_OFF_TCP_OUT, DELTA_OFF_PROTO_OUT, proto, tcpFlags);
  touch(e, firstMs, lastMs);
  if (peer != 0) sketchAdd(e + DELTA_OFF_PEERS_OUT, peer);
  if (port != 0) sketchAdd(e + DELTA_OFF_PORTS_OUT, port);
}

// accountDestination adds a flow received by the address (lo, hi), hashed to h, from peer on its local port.
export function accountDestination(lo: u64, hi: u64, h: u64, flows: u64, packets: u64, octets: u64, firstMs: f64, lastMs: f64, proto: u32, tcpFlags: u32, peer: u32, port: u32): void {
  const e = entryFor(lo, hi, h);
  store<u64>(e, load<u64>(e, DELTA_OFF_FLOWS_IN) + flows, DELTA_OFF_FLOWS_IN);
  store<u64>(e, load<u64>(e, DELTA_OFF_PACKETS_IN) + packets, DELTA_OFF_PACKETS_IN);
  store<u64>(e, load<u64>(e, DELTA_OFF_BYTES_IN) + octets, DELTA_OFF_BYTES_IN);
  countKinds(e, DELTA_OFF_TCP_IN, DELTA_OFF_PROTO_IN, proto, tcpFlags);
  touch(e, firstMs, lastMs);
  if (peer != 0) sketchAdd(e + DELTA_OFF_PEERS_IN, peer);
  if (port != 0) sketchAdd(e + DELTA_OFF_PORTS_IN, port);
}

// windowEntries is the number of entries of the current window (the overflow entry included).
export function windowEntries(): u32 {
  setStat(STAT_HOSTS, <u64>used);
  return used;
}

// clearWindow empties the table, touching only the window's entries and their index slots.
export function clearWindow(): void {
  for (let k: u32 = 0; k < used; k++) {
    const e = entries + <usize>k * DELTA_RECORD_SIZE;
    if (load<u32>(e, DELTA_OFF_FLAGS) & DELTA_FLAG_OVERFLOW) continue;
    store<u32>(index + (<usize>load<u32>(e, OFF_SLOT) << 2), 0);
  }
  memory.fill(entries, 0, <usize>used * DELTA_RECORD_SIZE);
  resetSketches();
  used = 0;
  overflowEntry = 0;
  setStat(STAT_HOSTS, 0);
}
