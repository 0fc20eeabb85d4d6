// Static regions, allocated once by init(); the stub runtime never frees, so nothing else allocates.
import { INPUT_CAPACITY, STAT_COUNT } from "./abi";

export let inputPtr: usize = 0; // One datagram, copied in by the host.
export let statsPtr: usize = 0; // STAT_COUNT u64 counters.

// allocRegion returns zeroed, 16-byte aligned memory that lives as long as the instance.
export function allocRegion(size: usize): usize {
  const p = heap.alloc(size + 16);
  const aligned = (p + 15) & ~<usize>15;
  memory.fill(aligned, 0, size);
  return aligned;
}

// initRegions allocates the fixed input and stats regions.
export function initRegions(): void {
  inputPtr = allocRegion(INPUT_CAPACITY);
  statsPtr = allocRegion(<usize>STAT_COUNT * 8);
}

// count adds n to a stats slot.
@inline export function count(slot: i32, n: u64 = 1): void {
  const p = statsPtr + (<usize>slot << 3);
  store<u64>(p, load<u64>(p) + n);
}

// setStat overwrites a stats slot.
@inline export function setStat(slot: i32, v: u64): void {
  store<u64>(statsPtr + (<usize>slot << 3), v);
}
