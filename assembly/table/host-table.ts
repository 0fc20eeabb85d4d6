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
  stage = allocRegion(<usize>STAGE_CAPACITY * STAGE_SIZE);
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
  memory.fill(e, 0, DELTA_RECORD_SIZE); // Zeroed as it is taken (its lines are written next anyway), not at the clear.
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
    memory.fill(overflowEntry, 0, DELTA_RECORD_SIZE);
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

// A flow received is accounted in the fields DIRECTION_IN bytes after those of a flow sent (the entry's
// layout, abi.ts): packets, bytes, TCP flags, protocols and the two sketches; the flow counts are 8 apart.
// The sketches: peers (destination addresses out, source addresses in) and ports (destination ports out,
// local ports contacted in). A value of 0 means the record did not carry it.
const DIRECTION_IN: usize = 64;
assert(DELTA_OFF_PACKETS_IN == DELTA_OFF_PACKETS_OUT + DIRECTION_IN && DELTA_OFF_BYTES_IN == DELTA_OFF_BYTES_OUT + DIRECTION_IN
  && DELTA_OFF_TCP_IN == DELTA_OFF_TCP_OUT + DIRECTION_IN && DELTA_OFF_PROTO_IN == DELTA_OFF_PROTO_OUT + DIRECTION_IN
  && DELTA_OFF_PEERS_IN == DELTA_OFF_PEERS_OUT + DIRECTION_IN && DELTA_OFF_PORTS_IN == DELTA_OFF_PORTS_OUT + DIRECTION_IN);

// accountFlow adds one flow sent (received = false) or received by the address (lo, hi), hashed to h,
// with peer (a sketch value) on port.
export function accountFlow(received: bool, lo: u64, hi: u64, h: u64, packets: u64, octets: u64, firstMs: f64, lastMs: f64, proto: u32, tcpFlags: u32, peer: u32, port: u32): void {
  const e = entryFor(lo, hi, h);
  const flows = e + (received ? DELTA_OFF_FLOWS_IN : DELTA_OFF_FLOWS_OUT);
  const d = e + (received ? DIRECTION_IN : 0); // The direction's fields.
  store<u64>(flows, load<u64>(flows) + 1);
  store<u64>(d, load<u64>(d, DELTA_OFF_PACKETS_OUT) + packets, DELTA_OFF_PACKETS_OUT);
  store<u64>(d, load<u64>(d, DELTA_OFF_BYTES_OUT) + octets, DELTA_OFF_BYTES_OUT);
  countKinds(d, DELTA_OFF_TCP_OUT, DELTA_OFF_PROTO_OUT, proto, tcpFlags);
  touch(e, firstMs, lastMs);
  if (peer != 0) sketchAdd(d + DELTA_OFF_PEERS_OUT, peer);
  if (port != 0) sketchAdd(d + DELTA_OFF_PORTS_OUT, port);
}

// Staged updates: emitFlow() stages a datagram's host updates and flushStaged() applies them in three
// passes: touch every update's index slot, then its entry's cache lines, then account. A table bigger
// than the caches makes each update wait for its misses one after another; touching first puts them
// all in flight at once (software prefetching: WASM has no prefetch instruction, so the passes load
// and sum what they touch). Flushed when full and at the end of every datagram (index.ts).
//
// Staged update (STAGE_SIZE bytes): [0,16) address halves, [16,24) hash, [24,32) packets, [32,40) octets,
// [40,48) f64 first, [48,56) f64 last, [56,58) u16 protocol, [58] u8 TCP flags, [59] u8 1 = received,
// [60,64) peer, [64,68) port.
const STAGE_SIZE: usize = 80;
const STAGE_CAPACITY: u32 = 64;
let stage: usize = 0;
let staged: u32 = 0;
let touched: u32 = 0; // The passes' sum of what they loaded: exported (prefetchSum), so that no optimiser drops the loads.
// Below this many hosts the entries fit the caches (a core's 2 MiB L2 here): updates are not staged, since
// staging and touching first would only cost.
const PREFETCH_FROM_HOSTS: u32 = 4096;

// updateHost accounts a flow sent (received = false) or received by the address (lo, hi), hashed to h:
// at once while the table fits the caches, else staged.
@inline export function updateHost(received: bool, lo: u64, hi: u64, h: u64, packets: u64, octets: u64, firstMs: f64, lastMs: f64, proto: u32, tcpFlags: u32, peer: u32, port: u32): void {
  if (used < PREFETCH_FROM_HOSTS) {
    accountFlow(received, lo, hi, h, packets, octets, firstMs, lastMs, proto, tcpFlags, peer, port);
    return;
  }
  if (staged == STAGE_CAPACITY) flushStaged();
  const u = stage + <usize>staged * STAGE_SIZE;
  staged++;
  store<u64>(u, lo); store<u64>(u, hi, 8); store<u64>(u, h, 16);
  store<u64>(u, packets, 24); store<u64>(u, octets, 32);
  store<f64>(u, firstMs, 40); store<f64>(u, lastMs, 48);
  store<u16>(u, <u16>proto, 56); store<u8>(u, <u8>tcpFlags, 58); store<u8>(u, received ? 1 : 0, 59);
  store<u32>(u, peer, 60); store<u32>(u, port, 64);
}

// prefetch touches the index slots, then the entries' lines, of the n staged updates.
function prefetch(n: usize): void {
  let sum: u32 = 0;
  for (let k: usize = 0; k < n; k++) sum += load<u32>(index + (<usize>(<u32>load<u64>(stage + k * STAGE_SIZE, 16) & indexMask) << 2));
  for (let k: usize = 0; k < n; k++) {
    const u = stage + k * STAGE_SIZE;
    const ref = load<u32>(index + (<usize>(<u32>load<u64>(u, 16) & indexMask) << 2));
    if (ref == 0) continue;
    const e = entries + <usize>(ref - 1) * DELTA_RECORD_SIZE;
    const line = <usize>load<u8>(u, 59) << 6; // Lines 0, 1, 3 for a flow sent; 0, 2, 4 for one received.
    sum += <u32>load<u8>(e) + <u32>load<u8>(e + 64 + line) + <u32>load<u8>(e + 192 + line);
  }
  touched += sum;
}

// flushStaged applies the staged updates. The stage is emptied first: should an update trap (the host
// counts the fault and goes on), the rest are lost with the datagram, never applied twice.
export function flushStaged(): void {
  const n = <usize>staged;
  if (n == 0) return;
  staged = 0;
  prefetch(n);
  for (let k: usize = 0; k < n; k++) {
    const u = stage + k * STAGE_SIZE;
    accountFlow(load<u8>(u, 59) != 0, load<u64>(u), load<u64>(u, 8), load<u64>(u, 16), load<u64>(u, 24), load<u64>(u, 32), load<f64>(u, 40), load<f64>(u, 48),
      <u32>load<u16>(u, 56), <u32>load<u8>(u, 58), load<u32>(u, 60), load<u32>(u, 64));
  }
}

// prefetchSum is what the prefetch passes loaded, summed: nothing needs it but the loads' survival.
export function prefetchSum(): u32 {
  return touched;
}

// dropStaged forgets updates a datagram left staged when it trapped before its end (index.ts): they go
// with the rest of that datagram instead of into the next one's (another exporter's) counts.
export function dropStaged(): void {
  staged = 0;
}

// entryCount is how many entries the window has (the overflow entry included).
export function entryCount(): u32 {
  return used;
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
  dropStaged();
  resetSketches();
  used = 0;
  overflowEntry = 0;
  setStat(STAT_HOSTS, 0);
}
