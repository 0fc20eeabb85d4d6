// Distinct-count sketches: exact while small, HyperLogLog beyond; their memory is a per-window arena.
import {
  SKETCH_EMPTY, SKETCH_INLINE, SKETCH_EXACT, SKETCH_HLL, SKETCH_SPARSE, SKETCH_EXACT_LIMIT, SKETCH_HLL_BITS, SKETCH_INLINE_VALUES,
  STAT_SKETCH_VALUES_DROPPED, STAT_SKETCH_BYTES,
} from "../abi";
import { allocRegion, count, setStat } from "../memory";
import { mix64 } from "./hash";

// A head (SKETCH_HEAD_SIZE = 32 bytes, inside the host entry) holds a small set itself:
// ┌───────────────────────────────────────────────┬──────────┬─────────┬────────┐
// │ 0 seven u32 values (INLINE), or in word 0 the │ 28 values│ 30 log2 │ 31 form│
// │ address of the table (EXACT) / registers (HLL)│ u16      │ slots u8│ u8     │
// └───────────────────────────────────────────────┴──────────┴─────────┴────────┘
// INLINE keeps up to seven values beside the host's counters, so the common host takes no arena memory
// and no extra cache misses. EXACT is an open-addressing table of u32 values (0 = empty slot), doubled to
// stay at most half full (linear probing then takes 2.5 probes for a new value, 1.5 for a known one);
// past SKETCH_EXACT_LIMIT values it becomes HyperLogLog: first SPARSE, a table of the registers that are
// set (u32 (index + 1) << 5 | rank, keyed by index, at most half full), then, once that table would
// take as much as the registers themselves, HLL: 2^SKETCH_HLL_BITS one-byte registers. The sparse
// stage keeps a set of a few hundred or thousand values at a few KiB instead of 32 KiB.
// Tables and registers come from a bump arena that the window's close resets: no frees, no
// fragmentation, and clearing costs nothing beyond the bytes handed out (zeroed when handed out).
const OFF_VALUES: usize = 28;
const OFF_LOG2: usize = 30;
const OFF_FORM: usize = 31;
const REGISTERS: usize = 1 << SKETCH_HLL_BITS;
const RANK_BITS: u32 = 32 - SKETCH_HLL_BITS;
const FIRST_TABLE_LOG2: u32 = 4; // 16 slots: the inline values and the one that overflowed them, half full.

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

// portValue is the sketch value of a port (the same mixing as addresses, so values spread evenly;
// src/protocol/port-values.ts computes the same).
@inline export function portValue(port: u32): u32 {
  return sketchValue(mix64(<u64>port | 0x5052_5400_0000)); // "PRT": a domain of its own.
}

// sketchAdd adds value v (non-zero) to the set whose head is at head.
export function sketchAdd(head: usize, v: u32): void {
  const form = <u32>load<u8>(head, OFF_FORM);
  if (form == SKETCH_HLL) {
    addRegister(load<u32>(head), v);
    return;
  }
  if (form == SKETCH_SPARSE) {
    addSparse(head, v);
    return;
  }
  const n = <u32>load<u16>(head, OFF_VALUES);
  if (form != SKETCH_EXACT) {
    if (inlineHas(head, v)) return;
    if (n < SKETCH_INLINE_VALUES) {
      store<u32>(head + (<usize>n << 2), v);
      store<u16>(head, <u16>(n + 1), OFF_VALUES);
      store<u8>(head, <u8>SKETCH_INLINE, OFF_FORM);
      return;
    }
    toTable(head, v);
    return;
  }
  // EXACT: look the value up first; only a new one may grow the table.
  let table = <usize>load<u32>(head);
  let log2 = <u32>load<u8>(head, OFF_LOG2);
  if (contains(table, (1 << log2) - 1, v)) return;
  if (n == SKETCH_EXACT_LIMIT) {
    toSparse(head, table, log2, v);
    return;
  }
  if ((n + 1) * 2 > (1 << log2)) {
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

// inlineHas compares v with the seven inline values at once (SIMD: no branch per value to mispredict);
// empty slots are 0, which no value is, and the last lane (the head's meta word) is masked off.
@inline function inlineHas(head: usize, v: u32): bool {
  const key = i32x4.splat(<i32>v);
  const low = i32x4.eq(v128.load(head), key);
  const high = v128.and(i32x4.eq(v128.load(head, 16), key), i32x4(-1, -1, -1, 0));
  return v128.any_true(v128.or(low, high));
}

// toTable moves the inline values, and v, to a table of their own.
function toTable(head: usize, v: u32): void {
  const table = take(<usize>4 << FIRST_TABLE_LOG2);
  if (table == 0) { count(STAT_SKETCH_VALUES_DROPPED); return; }
  const mask: u32 = (1 << FIRST_TABLE_LOG2) - 1;
  for (let i: usize = 0; i < <usize>SKETCH_INLINE_VALUES; i++) insert(table, mask, load<u32>(head + (i << 2)));
  insert(table, mask, v);
  memory.fill(head, 0, <usize>SKETCH_INLINE_VALUES << 2);
  store<u32>(head, <u32>table);
  store<u16>(head, <u16>(SKETCH_INLINE_VALUES + 1), OFF_VALUES);
  store<u8>(head, <u8>FIRST_TABLE_LOG2, OFF_LOG2);
  store<u8>(head, <u8>SKETCH_EXACT, OFF_FORM);
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

const SPARSE_FIRST_LOG2: u32 = 10; // 1,024 slots (4 KiB) for the ~256 registers of the first 257 values.
// 2,048 slots (8 KiB, up to 1,024 registers set); the growing tables stay in the arena until the window
// closes, so a set that ends dense has taken 2 + 4 + 8 + 32 KiB, one of up to about a thousand values 14.
const SPARSE_LAST_LOG2: u32 = SKETCH_HLL_BITS - 4;

// toSparse turns a full exact set (plus v) into a sparse HyperLogLog table.
function toSparse(head: usize, table: usize, log2: u32, v: u32): void {
  const sparse = take(<usize>4 << SPARSE_FIRST_LOG2);
  if (sparse == 0) { count(STAT_SKETCH_VALUES_DROPPED); return; }
  store<u32>(head, <u32>sparse);
  store<u16>(head, 0, OFF_VALUES);
  store<u8>(head, <u8>SPARSE_FIRST_LOG2, OFF_LOG2);
  store<u8>(head, <u8>SKETCH_SPARSE, OFF_FORM);
  const slots: usize = <usize>1 << log2;
  for (let k: usize = 0; k < slots; k++) {
    const w = load<u32>(table + (k << 2));
    if (w != 0) addSparse(head, w);
  }
  addSparse(head, v);
}

// addSparse records v in the sparse table: a register's entry keeps the highest rank seen.
function addSparse(head: usize, v: u32): void {
  const index = v >>> RANK_BITS;
  const rank = rankOf(v);
  let table = <usize>load<u32>(head);
  let log2 = <u32>load<u8>(head, OFF_LOG2);
  let mask: u32 = (1 << log2) - 1;
  let i = index & mask;
  while (true) {
    const p = table + (<usize>i << 2);
    const w = load<u32>(p);
    if (w == 0) break;
    if ((w >>> 5) == index + 1) {
      if (rank > (w & 31)) store<u32>(p, ((index + 1) << 5) | rank);
      return;
    }
    i = (i + 1) & mask;
  }
  const n = <u32>load<u16>(head, OFF_VALUES);
  if ((n + 1) * 2 > (1 << log2)) {
    if (log2 == SPARSE_LAST_LOG2) {
      toRegisters(head, table, log2, v);
      return;
    }
    const bigger = take(<usize>4 << (log2 + 1));
    if (bigger == 0) { count(STAT_SKETCH_VALUES_DROPPED); return; }
    rehashSparse(table, log2, bigger, (2 << log2) - 1);
    table = bigger;
    log2++;
    mask = (1 << log2) - 1;
    store<u32>(head, <u32>table);
    store<u8>(head, <u8>log2, OFF_LOG2);
    i = index & mask;
    while (load<u32>(table + (<usize>i << 2)) != 0) i = (i + 1) & mask;
  }
  store<u32>(table + (<usize>i << 2), ((index + 1) << 5) | rank);
  store<u16>(head, <u16>(n + 1), OFF_VALUES);
}

function rehashSparse(from: usize, log2: u32, to: usize, mask: u32): void {
  const slots: usize = <usize>1 << log2;
  for (let k: usize = 0; k < slots; k++) {
    const w = load<u32>(from + (k << 2));
    if (w == 0) continue;
    let i = ((w >>> 5) - 1) & mask;
    while (load<u32>(to + (<usize>i << 2)) != 0) i = (i + 1) & mask;
    store<u32>(to + (<usize>i << 2), w);
  }
}

// toRegisters turns a full sparse table (plus v) into HyperLogLog registers.
function toRegisters(head: usize, table: usize, log2: u32, v: u32): void {
  const regs = take(REGISTERS);
  if (regs == 0) { count(STAT_SKETCH_VALUES_DROPPED); return; }
  const slots: usize = <usize>1 << log2;
  for (let k: usize = 0; k < slots; k++) {
    const w = load<u32>(table + (k << 2));
    if (w != 0) store<u8>(regs + <usize>((w >>> 5) - 1), <u8>(w & 31));
  }
  addRegister(<u32>regs, v);
  store<u32>(head, <u32>regs);
  store<u16>(head, 0, OFF_VALUES);
  store<u8>(head, 0, OFF_LOG2);
  store<u8>(head, <u8>SKETCH_HLL, OFF_FORM);
}

@inline function rankOf(v: u32): u32 {
  return clz((v << SKETCH_HLL_BITS) | (1 << (SKETCH_HLL_BITS - 1))) + 1;
}

// addRegister: the top SKETCH_HLL_BITS bits pick the register, the rank is 1 + the leading zeros of the rest.
@inline function addRegister(regs: u32, v: u32): void {
  const p = <usize>regs + <usize>(v >>> RANK_BITS);
  const rank = <u8>rankOf(v);
  if (rank > load<u8>(p)) store<u8>(p, rank);
}
