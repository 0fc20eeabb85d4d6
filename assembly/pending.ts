// Held data sets: a data set whose template is not known yet waits here (a few per exporter) and is
// decoded when the template arrives, so that after a probe restart no exporter waits a full refresh.
import { allocRegion, count } from "./memory";
import { STAT_SETS_HELD, STAT_SETS_HELD_DECODED, STAT_SETS_HELD_DROPPED } from "./abi";

export const HELD_SLOTS: u32 = 128;
export const HELD_PER_EXPORTER: u32 = 8;
export const HELD_MAX_BYTES: usize = 2048; // Larger sets are not held (counted as dropped).
export const HELD_MAX_AGE_MS: f64 = 600_000;

// Slot layout: 0 exporter u32, 4 domain u32, 8 set id u16, 10 version u16, 12 length u32 (0 = free),
// 16 export ms f64, 24 uptime u32, 28 body length u32, 32 arrival ms f64, 40 set body (HELD_MAX_BYTES).
const H_EXPORTER: usize = 0;
const H_DOMAIN: usize = 4;
const H_SET_ID: usize = 8;
const H_VERSION: usize = 10;
const H_LENGTH: usize = 12;
const H_EXPORT_MS: usize = 16;
const H_UPTIME: usize = 24;
const H_BODY_LENGTH: usize = 28; // Kept after the slot is freed, for heldEnd().
const H_ARRIVAL: usize = 32;
const H_BODY: usize = 40;
const SLOT: usize = H_BODY + HELD_MAX_BYTES;

let slots: usize = 0;
let held: u32 = 0;

export function initPending(): void {
  slots = allocRegion(<usize>HELD_SLOTS * SLOT);
}

@inline function slotAt(i: u32): usize {
  return slots + <usize>i * SLOT;
}

// hold copies a data set body for later; the oldest set of the exporter (or of all) makes room.
export function hold(exporterId: u32, domain: u32, setId: u32, version: u32, exportMs: f64, uptime: u32, nowMs: f64, body: usize, length: usize): void {
  if (length == 0) return;
  if (length > HELD_MAX_BYTES) {
    count(STAT_SETS_HELD_DROPPED);
    return;
  }
  let free: i32 = -1, mine: u32 = 0, oldestMine: i32 = -1, oldestAny: i32 = -1;
  for (let i: u32 = 0; i < HELD_SLOTS; i++) {
    const s = slotAt(i);
    if (load<u32>(s, H_LENGTH) == 0) {
      if (free < 0) free = <i32>i;
      continue;
    }
    if (oldestAny < 0 || load<f64>(s, H_ARRIVAL) < load<f64>(slotAt(<u32>oldestAny), H_ARRIVAL)) oldestAny = <i32>i;
    if (load<u32>(s, H_EXPORTER) == exporterId) {
      mine++;
      if (oldestMine < 0 || load<f64>(s, H_ARRIVAL) < load<f64>(slotAt(<u32>oldestMine), H_ARRIVAL)) oldestMine = <i32>i;
    }
  }
  let target = free;
  if (mine >= HELD_PER_EXPORTER) target = oldestMine;
  else if (target < 0) target = oldestAny;
  if (load<u32>(slotAt(<u32>target), H_LENGTH) != 0) {
    count(STAT_SETS_HELD_DROPPED);
    held--;
  }
  const s = slotAt(<u32>target);
  store<u32>(s, exporterId, H_EXPORTER);
  store<u32>(s, domain, H_DOMAIN);
  store<u16>(s, <u16>setId, H_SET_ID);
  store<u16>(s, <u16>version, H_VERSION);
  store<u32>(s, <u32>length, H_LENGTH);
  store<u32>(s, <u32>length, H_BODY_LENGTH);
  store<f64>(s, exportMs, H_EXPORT_MS);
  store<u32>(s, uptime, H_UPTIME);
  store<f64>(s, nowMs, H_ARRIVAL);
  memory.copy(s + H_BODY, body, length);
  held++;
  count(STAT_SETS_HELD);
}

// takeHeld frees and returns the oldest held set of (exporterId, domain, setId), or 0; the slot stays
// readable until the next hold(). Sets held too long are dropped (counted) on the way.
export function takeHeld(exporterId: u32, domain: u32, setId: u32, nowMs: f64): usize {
  while (held > 0) {
    let next: i32 = -1;
    for (let i: u32 = 0; i < HELD_SLOTS; i++) {
      const s = slotAt(i);
      if (load<u32>(s, H_LENGTH) == 0 || load<u32>(s, H_EXPORTER) != exporterId || load<u32>(s, H_DOMAIN) != domain ||
        <u32>load<u16>(s, H_SET_ID) != setId) continue;
      if (next < 0 || load<f64>(s, H_ARRIVAL) < load<f64>(slotAt(<u32>next), H_ARRIVAL)) next = <i32>i;
    }
    if (next < 0) return 0;
    const s = slotAt(<u32>next);
    store<u32>(s, 0, H_LENGTH);
    held--;
    if (nowMs - load<f64>(s, H_ARRIVAL) > HELD_MAX_AGE_MS) {
      count(STAT_SETS_HELD_DROPPED);
      continue;
    }
    count(STAT_SETS_HELD_DECODED);
    return s;
  }
  return 0;
}

export function heldVersion(s: usize): u32 { return <u32>load<u16>(s, H_VERSION); }
export function heldExportMs(s: usize): f64 { return load<f64>(s, H_EXPORT_MS); }
export function heldUptime(s: usize): u32 { return load<u32>(s, H_UPTIME); }
export function heldArrival(s: usize): f64 { return load<f64>(s, H_ARRIVAL); }
export function heldBody(s: usize): usize { return s + H_BODY; }
export function heldEnd(s: usize): usize { return s + H_BODY + <usize>load<u32>(s, H_BODY_LENGTH); }

// heldCount is how many sets are waiting.
export function heldCount(): u32 {
  return held;
}
