// Static regions, allocated once by init(); the stub runtime never frees, so nothing else allocates.
import { INPUT_CAPACITY, STAT_COUNT } from "./abi";

export let inputPtr: usize = 0; // The input region: the last INPUT_CAPACITY bytes of linear memory.
export let statsPtr: usize = 0; // (1 + maxExporters) blocks of STAT_COUNT u64 counters.
let exporterStats: usize = 0; // The block of the exporter whose datagram is being decoded.
let statsBlocks: u32 = 0;

const BLOCK_SIZE: usize = <usize>STAT_COUNT << 3;

// growFor grows linear memory by exactly what size more bytes need: the stub allocator would double it.
function growFor(size: usize): void {
  const top = heap.alloc(16); // The allocator's current end.
  const need = top + size + 64;
  const have = <usize>memory.size() << 16;
  if (need > have) memory.grow(<i32>((need - have + 0xffff) >> 16));
}

// allocRegion returns zeroed (fresh memory is), 16-byte aligned memory that lives as long as the instance.
export function allocRegion(size: usize): usize {
  growFor(size + 16);
  const p = heap.alloc(size + 16);
  return (p + 15) & ~<usize>15;
}

// initRegions allocates the stats blocks for maxExporters exporters.
export function initRegions(maxExporters: u32): void {
  statsBlocks = maxExporters + 1;
  statsPtr = allocRegion(<usize>statsBlocks * BLOCK_SIZE);
  exporterStats = 0;
}

// initInput places the input region at the very end of linear memory, after every other region.
// The host copies a datagram of len bytes so that it ends there: a read past the datagram is a read
// past the memory, which traps instead of silently reading other state.
export function initInput(): void {
  growFor(INPUT_CAPACITY);
  const p = heap.alloc(INPUT_CAPACITY);
  const end = <usize>memory.size() << 16;
  inputPtr = end - INPUT_CAPACITY;
  assert(inputPtr >= p);
}

// selectExporter makes exporter id (1..maxExporters; 0 shares the global block) receive the counts.
export function selectExporter(exporterId: u32): void {
  exporterStats = exporterId > 0 && exporterId < statsBlocks ? statsPtr + <usize>exporterId * BLOCK_SIZE : 0;
}

// count adds n to a stats slot, globally and for the selected exporter.
@inline export function count(slot: i32, n: u64 = 1): void {
  const off = <usize>slot << 3;
  store<u64>(statsPtr + off, load<u64>(statsPtr + off) + n);
  if (exporterStats != 0) store<u64>(exporterStats + off, load<u64>(exporterStats + off) + n);
}

// setStat overwrites a stats slot, globally and for the selected exporter.
@inline export function setStat(slot: i32, v: u64): void {
  const off = <usize>slot << 3;
  store<u64>(statsPtr + off, v);
  if (exporterStats != 0) store<u64>(exporterStats + off, v);
}
