// Distinct-count sketches: exact while small, HyperLogLog beyond; their memory is a per-window arena.
import {
  SKETCH_EMPTY, SKETCH_SINGLE, SKETCH_EXACT, SKETCH_HLL, SKETCH_EXACT_LIMIT, SKETCH_HLL_BITS,
  STAT_SKETCH_VALUES_DROPPED, STAT_SKETCH_BYTES,
} from "../abi";
import { allocRegion, count, setStat } from "../memory";

// A head (8 bytes, inside the host entry) says which form the set has:
// ┌──────────────────────────────┬────────────┬───────────┬────────┐
// │ 0 word: the value, or address│ 4 values   │ 6 log2    │ 7 form │
// │ of the table / registers  u32│ u16        │ slots u8  │ u8     │
// └──────────────────────────────┴────────────┴───────────┴────────┘
// SINGLE keeps the one value in the word, so the common host (one peer, one port) takes no arena memory.
// EXACT is an open-addressing table of u32 values (0 = empty slot), grown by doubling while at most
// 3/4 full; past SKETCH_EXACT_LIMIT values it becomes HLL: 2^SKETCH_HLL_BITS one-byte registers.
// Tables and registers come from a bump arena that the window's close resets: no frees, no
// fragmentation, and clearing costs nothing beyond the bytes handed out (zeroed when handed out).
const OFF_VALUES: usize = 4;
const OFF_LOG2: usize = 6;
const OFF_FORM: usize = 7;
const REGISTERS: usize = 1 << SKETCH_HLL_BITS;
const RANK_BITS: u32 = 32 - SKETCH_HLL_BITS;

let arena: usize = 0;
let arenaEnd: usize = 0;
let arenaTop: usize = 0;

// initSketches reserves the arena: bytes of sketch memory per window.
export function initSketches(bytes: u32): void {
  arena = allocRegion(<usize>bytes);
  arenaEnd = arena + <usize>bytes;
  arenaTop = arena;
}

// resetSketches hands the whole arena back at the close of a window.
export function resetSketches(): void {
  setStat(STAT_SKETCH_BYTES, <u64>(arenaTop - arena));
  arenaTop = arena;
}

// take hands out size zeroed bytes (4-byte aligned), or 0 when the arena is full.
function take(size: usize): usize {
  if (arenaTop + size > arenaEnd) return 0;
  const p = arenaTop;
  arenaTop += size;
  memory.fill(p, 0, size);
  return p;
}

// sketchValue makes a 32-bit sketch value of a 64-bit hash: its high half (the low one picks table slots), never 0.
@inline export function sketchValue(h: u64): u32 {
  const v = <u32>(h >>> 32);
  return v == 0 ? 1 : v;
}

// sketchAdd adds value v (non-zero) to the set whose head is at head.
export function sketchAdd(head: usize, v: u32): void {
  const form = <u32>load<u8>(head, OFF_FORM);
  if (form == SKETCH_HLL) {
    addRegister(load<u32>(head), v);
    return;
  }
  if (form == SKETCH_EMPTY) {
    store<u32>(head, v);
    store<u16>(head, 1, OFF_VALUES);
    store<u8>(head, <u8>SKETCH_SINGLE, OFF_FORM);
    return;
  }
  if (form == SKETCH_SINGLE) {
    const first = load<u32>(head);
    if (first == v) return;
    const table = take(4 << 2);
    if (table == 0) { count(STAT_SKETCH_VALUES_DROPPED); return; }
    insert(table, 3, first);
    insert(table, 3, v);
    store<u32>(head, <u32>table);
    store<u16>(head, 2, OFF_VALUES);
    store<u8>(head, 2, OFF_LOG2);
    store<u8>(head, <u8>SKETCH_EXACT, OFF_FORM);
    return;
  }
  // EXACT: look the value up first; only a new one may grow the table.
  let table = <usize>load<u32>(head);
  let log2 = <u32>load<u8>(head, OFF_LOG2);
  if (contains(table, (1 << log2) - 1, v)) return;
  const n = <u32>load<u16>(head, OFF_VALUES);
  if (n == SKETCH_EXACT_LIMIT) {
    toRegisters(head, table, log2, v);
    return;
  }
  if ((n + 1) * 4 > (3 << log2)) {
    const bigger = take(<usize>4 << (log2 + 1));
    if (bigger == 0) { count(STAT_SKETCH_VALUES_DROPPED); return; }
    rehash(table, log2, bigger, (2 << log2) - 1);
    table = bigger;
    log2++;
    store<u32>(head, <u32>table);
    store<u8>(head, <u8>log2, OFF_LOG2);
  }
  insert(table, (1 << log2) - 1, v);
  store<u16>(head, <u16>(n + 1), OFF_VALUES);
}

@inline function contains(table: usize, mask: u32, v: u32): bool {
  let i = v & mask;
  while (true) {
    const w = load<u32>(table + (<usize>i << 2));
    if (w == v) return true;
    if (w == 0) return false;
    i = (i + 1) & mask;
  }
}

@inline function insert(table: usize, mask: u32, v: u32): void {
  let i = v & mask;
  while (load<u32>(table + (<usize>i << 2)) != 0) i = (i + 1) & mask;
  store<u32>(table + (<usize>i << 2), v);
}

function rehash(from: usize, log2: u32, to: usize, mask: u32): void {
  const slots: usize = <usize>1 << log2;
  for (let k: usize = 0; k < slots; k++) {
    const w = load<u32>(from + (k << 2));
    if (w != 0) insert(to, mask, w);
  }
}

// toRegisters turns a full exact set (plus v) into HyperLogLog registers.
function toRegisters(head: usize, table: usize, log2: u32, v: u32): void {
  const regs = take(REGISTERS);
  if (regs == 0) { count(STAT_SKETCH_VALUES_DROPPED); return; }
  const slots: usize = <usize>1 << log2;
  for (let k: usize = 0; k < slots; k++) {
    const w = load<u32>(table + (k << 2));
    if (w != 0) addRegister(<u32>regs, w);
  }
  addRegister(<u32>regs, v);
  store<u32>(head, <u32>regs);
  store<u16>(head, 0, OFF_VALUES);
  store<u8>(head, 0, OFF_LOG2);
  store<u8>(head, <u8>SKETCH_HLL, OFF_FORM);
}

// addRegister: the top SKETCH_HLL_BITS bits pick the register, the rank is 1 + the leading zeros of the rest.
@inline function addRegister(regs: u32, v: u32): void {
  const p = <usize>regs + <usize>(v >>> RANK_BITS);
  const rank = <u8>(clz((v << SKETCH_HLL_BITS) | (1 << (SKETCH_HLL_BITS - 1))) + 1);
  if (rank > load<u8>(p)) store<u8>(p, rank);
}
