// A fixed-size table of slots keyed by (a: u32, b: u32, c: u64), open addressing, no removal.
import { allocRegion } from "../memory";
import { mix64 } from "../table/hash";

// Slot layout: [0,4) a, [4,8) b, [8,16) c, [16,20) used flag, then the owner's fields from KEYED_DATA.
export const KEYED_DATA: usize = 24;

// KeyedTable holds at most capacity slots of slotSize bytes (KEYED_DATA included).
export class KeyedTable {
  slots: usize;
  index: usize;
  mask: u32;
  used: u32 = 0;

  constructor(readonly capacity: u32, readonly slotSize: usize) {
    let cap: u32 = 16;
    while (cap < capacity * 2) cap <<= 1;
    this.mask = cap - 1;
    this.index = allocRegion(<usize>cap * 4);
    this.slots = allocRegion(<usize>capacity * slotSize);
  }

  // find returns the slot of (a, b, c), inserting it when create is set; 0 when absent or full.
  find(a: u32, b: u32, c: u64, create: bool): usize {
    let i = <u32>mix64((<u64>a << 32 | <u64>b) ^ mix64(c)) & this.mask;
    while (true) {
      const ref = load<u32>(this.index + (<usize>i << 2));
      if (ref == 0) break;
      const s = this.slots + <usize>(ref - 1) * this.slotSize;
      if (load<u32>(s) == a && load<u32>(s, 4) == b && load<u64>(s, 8) == c) return s;
      i = (i + 1) & this.mask;
    }
    if (!create || this.used >= this.capacity) return 0;
    const s = this.slots + <usize>this.used * this.slotSize;
    this.used++;
    store<u32>(s, a);
    store<u32>(s, b, 4);
    store<u64>(s, c, 8);
    store<u32>(s, 1, 16);
    store<u32>(this.index + (<usize>i << 2), this.used);
    return s;
  }
}
