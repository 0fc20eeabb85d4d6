// A fixed-size table of slots keyed by (a: u32, b: u32, c: u64), open addressing. When full, the least
// recently used slot is reused: state that is still in use is never starved by keys that come and go.
import { allocRegion } from "../memory";
import { mix64 } from "../table/hash";

// Slot layout: [0,4) a, [4,8) b, [8,16) c, [16,24) last used (f64 ms), then the owner's fields from KEYED_DATA.
export const KEYED_DATA: usize = 24;
const LAST_USED: usize = 16;
const EMPTY: u32 = 0;
const TOMBSTONE: u32 = 0xffffffff;

// KeyedTable holds at most capacity slots of slotSize bytes (KEYED_DATA included).
export class KeyedTable {
  slots: usize;
  index: usize;
  mask: u32;
  used: u32 = 0;
  tombstones: u32 = 0;
  evictions: u32 = 0;

  constructor(readonly capacity: u32, readonly slotSize: usize) {
    let cap: u32 = 16;
    while (cap < capacity * 2) cap <<= 1;
    this.mask = cap - 1;
    this.index = allocRegion(<usize>cap * 4);
    this.slots = allocRegion(<usize>capacity * slotSize);
  }

  @inline private hash(a: u32, b: u32, c: u64): u32 {
    return <u32>mix64((<u64>a << 32 | <u64>b) ^ mix64(c)) & this.mask;
  }

  // find returns the slot of (a, b, c), inserting it (zeroed) when create is set; 0 when absent.
  find(a: u32, b: u32, c: u64, create: bool, nowMs: f64): usize {
    let i = this.hash(a, b, c);
    while (true) {
      const ref = load<u32>(this.index + (<usize>i << 2));
      if (ref == EMPTY) break;
      if (ref != TOMBSTONE) {
        const s = this.slots + <usize>(ref - 1) * this.slotSize;
        if (load<u32>(s) == a && load<u32>(s, 4) == b && load<u64>(s, 8) == c) {
          store<f64>(s, nowMs, LAST_USED);
          return s;
        }
      }
      i = (i + 1) & this.mask;
    }
    if (!create) return 0;
    let slot: u32;
    if (this.used < this.capacity) {
      slot = this.used++;
    } else {
      slot = this.leastRecentlyUsed();
      this.unindex(slot);
      this.evictions++;
    }
    const s = this.slots + <usize>slot * this.slotSize;
    memory.fill(s, 0, this.slotSize);
    store<u32>(s, a);
    store<u32>(s, b, 4);
    store<u64>(s, c, 8);
    store<f64>(s, nowMs, LAST_USED);
    let j = this.hash(a, b, c);
    while (true) {
      const ref = load<u32>(this.index + (<usize>j << 2));
      if (ref == EMPTY) break;
      if (ref == TOMBSTONE) { this.tombstones--; break; }
      j = (j + 1) & this.mask;
    }
    store<u32>(this.index + (<usize>j << 2), slot + 1);
    return s;
  }

  private leastRecentlyUsed(): u32 {
    let best: u32 = 0;
    let bestAt = Infinity;
    for (let k: u32 = 0; k < this.used; k++) {
      const at = load<f64>(this.slots + <usize>k * this.slotSize, LAST_USED);
      if (at < bestAt) { bestAt = at; best = k; }
    }
    return best;
  }

  private unindex(slot: u32): void {
    const s = this.slots + <usize>slot * this.slotSize;
    let i = this.hash(load<u32>(s), load<u32>(s, 4), load<u64>(s, 8));
    while (load<u32>(this.index + (<usize>i << 2)) != slot + 1) i = (i + 1) & this.mask;
    store<u32>(this.index + (<usize>i << 2), TOMBSTONE);
    // Lookups stop only at an empty position: rebuild before tombstones crowd them out.
    if (++this.tombstones > (this.mask + 1) >> 2) this.rebuild();
  }

  private rebuild(): void {
    memory.fill(this.index, 0, (<usize>this.mask + 1) << 2);
    this.tombstones = 0;
    for (let k: u32 = 0; k < this.used; k++) {
      const s = this.slots + <usize>k * this.slotSize;
      let i = this.hash(load<u32>(s), load<u32>(s, 4), load<u64>(s, 8));
      while (load<u32>(this.index + (<usize>i << 2)) != EMPTY) i = (i + 1) & this.mask;
      store<u32>(this.index + (<usize>i << 2), k + 1);
    }
  }
}
