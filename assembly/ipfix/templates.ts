// Template cache: templateKey(exporterId, obsDomainId, templateId) -> compiled template, in fixed slots.
// One owner per key: data and options templates share the id space (quirk 17), the newest definition wins.
import { allocRegion, count } from "../memory";
import {
  STAT_TEMPLATES_ADDED, STAT_TEMPLATES_UPDATED, STAT_TEMPLATES_FULL, STAT_TEMPLATES_WITHDRAWN, STAT_TEMPLATES_EXPIRED,
} from "../abi";
import { mix64 } from "../table/hash";
import { templateEvent, EV_TEMPLATE_ADDED, EV_TEMPLATE_UPDATED, EV_TEMPLATE_WITHDRAWN, EV_TEMPLATE_EXPIRED, EV_TEMPLATE_EVICTED } from "../events";

// MAX_FIELDS caps the fields of one template; longer templates are refused (counted).
export const MAX_FIELDS: u32 = 256;

// Template slot layout (bytes):
// ┌──────────┬────────┬──────────┬───────────┬───────────┬──────┬─────┬──────────────┬──────────────────────────┐
// │ 0 export │ 4 dom. │ 8 templId│ 10 fields │ 12 minLen │14 flg│ 15  │ 16 last seen │ 24 fields × (kind u16,   │
// │   u32    │  u32   │   u16    │    u16    │    u16    │  u8  │ pad │   f64 ms     │        length u16)       │
// └──────────┴────────┴──────────┴───────────┴───────────┴──────┴─────┴──────────────┴──────────────────────────┘
export const T_EXPORTER: usize = 0;
export const T_DOMAIN: usize = 4;
export const T_ID: usize = 8;
export const T_FIELD_COUNT: usize = 10;
export const T_MIN_LENGTH: usize = 12;
export const T_FLAGS: usize = 14;
export const T_LAST_SEEN: usize = 16;
export const T_FIELDS: usize = 24;
export const SLOT_SIZE: usize = T_FIELDS + <usize>MAX_FIELDS * 4;

export const TF_USED: u32 = 1; // Slot holds a live template (cleared when withdrawn or expired).
export const TF_OPTIONS: u32 = 2; // Options template: its data records describe the exporter, not flows.
export const TF_VARLEN: u32 = 4; // Has variable-length fields: records need a per-field bounds check.

const EMPTY: u32 = 0;
const TOMBSTONE: u32 = 0xffffffff;

let slots: usize = 0;
let maxSlots: u32 = 0;
let usedSlots: u32 = 0; // Slots ever handed out; freed ones go to the free list.
let freeList: usize = 0; // Stack of freed slot numbers.
let freeCount: u32 = 0;
let tombstones: u32 = 0;
let index: usize = 0; // Open addressing: slot + 1, EMPTY, or TOMBSTONE.
let indexMask: u32 = 0;
let perExporter: usize = 0; // u16 template count per exporter id.
let maxExporterId: u32 = 0;
let maxPerExporter: u32 = 0;
let lifetimeMs: f64 = 0;
let reliable = false; // The datagram came over TCP: its templates live as long as the session (RFC 7011 8.1).

// setReliable says whether the message being decoded came over a reliable transport (TCP).
export function setReliable(on: bool): void {
  reliable = on;
}

// scratch holds the template being parsed, so that a malformed one never touches the cache.
export let scratch: usize = 0;

// initTemplates allocates room for maxTemplates templates, at most perExporterCap per exporter id;
// templates not refreshed within lifetime ms (0: never) expire.
export function initTemplates(maxTemplates: u32, maxExporters: u32, perExporterCap: u32, lifetime: f64): void {
  maxSlots = maxTemplates;
  slots = allocRegion(<usize>maxTemplates * SLOT_SIZE);
  freeList = allocRegion(<usize>maxTemplates * 4);
  let cap: u32 = 16;
  while (cap < maxTemplates * 2) cap <<= 1;
  index = allocRegion(<usize>cap * 4);
  indexMask = cap - 1;
  scratch = allocRegion(SLOT_SIZE);
  maxExporterId = maxExporters;
  perExporter = allocRegion(<usize>(maxExporters + 1) * 2);
  maxPerExporter = perExporterCap;
  lifetimeMs = lifetime;
}

@inline function templateHash(exporterId: u32, domain: u32, templateId: u32): u32 {
  return <u32>mix64((<u64>exporterId << 32 | <u64>domain) ^ (<u64>templateId << 48) ^ <u64>templateId);
}

function event(kind: u32, t: usize): void {
  templateEvent(kind, load<u32>(t, T_DOMAIN), <u32>load<u16>(t, T_ID), (<u32>load<u8>(t, T_FLAGS) & TF_OPTIONS) != 0,
    <u32>load<u16>(t, T_FIELD_COUNT), <u32>load<u16>(t, T_MIN_LENGTH));
}

@inline function slotOf(ref: u32): usize {
  return slots + <usize>(ref - 1) * SLOT_SIZE;
}

@inline function matches(t: usize, exporterId: u32, domain: u32, templateId: u32): bool {
  return load<u32>(t, T_EXPORTER) == exporterId && load<u32>(t, T_DOMAIN) == domain &&
    <u32>load<u16>(t, T_ID) == templateId;
}

// indexOf returns the index position holding the key, or -1.
function indexOf(exporterId: u32, domain: u32, templateId: u32): i32 {
  let i = templateHash(exporterId, domain, templateId) & indexMask;
  while (true) {
    const ref = load<u32>(index + (<usize>i << 2));
    if (ref == EMPTY) return -1;
    if (ref != TOMBSTONE && matches(slotOf(ref), exporterId, domain, templateId)) return <i32>i;
    i = (i + 1) & indexMask;
  }
}

function exporterCount(exporterId: u32): usize {
  const id: u32 = exporterId <= maxExporterId ? exporterId : 0;
  return perExporter + (<usize>id << 1);
}

// removeAt frees the template at index position i.
function removeAt(i: u32): void {
  const at = index + (<usize>i << 2);
  const ref = load<u32>(at);
  const t = slotOf(ref);
  const c = exporterCount(load<u32>(t, T_EXPORTER));
  store<u16>(c, load<u16>(c) - 1);
  store<u8>(t, 0, T_FLAGS);
  store<u32>(at, TOMBSTONE);
  store<u32>(freeList + (<usize>freeCount << 2), ref - 1);
  freeCount++;
  // Lookups stop only at an empty position: rebuild before tombstones crowd them out.
  if (++tombstones > (indexMask + 1) >> 2) rebuildIndex();
}

function rebuildIndex(): void {
  memory.fill(index, 0, (<usize>indexMask + 1) << 2);
  tombstones = 0;
  for (let slot: u32 = 0; slot < usedSlots; slot++) {
    const t = slots + <usize>slot * SLOT_SIZE;
    if ((<u32>load<u8>(t, T_FLAGS) & TF_USED) == 0) continue;
    let i = templateHash(load<u32>(t, T_EXPORTER), load<u32>(t, T_DOMAIN), <u32>load<u16>(t, T_ID)) & indexMask;
    while (load<u32>(index + (<usize>i << 2)) != EMPTY) i = (i + 1) & indexMask;
    store<u32>(index + (<usize>i << 2), slot + 1);
  }
}

// findTemplate returns the slot of a known, unexpired template, or 0.
export function findTemplate(exporterId: u32, domain: u32, templateId: u32, nowMs: f64): usize {
  const i = indexOf(exporterId, domain, templateId);
  if (i < 0) return 0;
  const t = slotOf(load<u32>(index + (<usize>i << 2)));
  if (lifetimeMs > 0 && nowMs - load<f64>(t, T_LAST_SEEN) > lifetimeMs) {
    event(EV_TEMPLATE_EXPIRED, t);
    removeAt(<u32>i);
    count(STAT_TEMPLATES_EXPIRED);
    return 0;
  }
  return t;
}

export const ADD_ADDED: i32 = 0;
export const ADD_UPDATED: i32 = 1;
export const ADD_UNCHANGED: i32 = 2;
export const ADD_FULL: i32 = 3;

// commitScratch stores the template in scratch under its key: added, updated (newest wins) or unchanged.
export function commitScratch(nowMs: f64): i32 {
  const exporterId = load<u32>(scratch, T_EXPORTER);
  const domain = load<u32>(scratch, T_DOMAIN);
  const templateId = <u32>load<u16>(scratch, T_ID);
  const fieldBytes = <usize>load<u16>(scratch, T_FIELD_COUNT) << 2;
  const found = indexOf(exporterId, domain, templateId);
  if (found >= 0) {
    const t = slotOf(load<u32>(index + (<usize>found << 2)));
    store<f64>(t, reliable ? Infinity : nowMs, T_LAST_SEEN);
    if (memory.compare(t + T_ID, scratch + T_ID, 8) == 0 && memory.compare(t + T_FIELDS, scratch + T_FIELDS, fieldBytes) == 0) {
      return ADD_UNCHANGED;
    }
    memory.copy(t + T_ID, scratch + T_ID, 8);
    memory.copy(t + T_FIELDS, scratch + T_FIELDS, fieldBytes);
    count(STAT_TEMPLATES_UPDATED);
    event(EV_TEMPLATE_UPDATED, t);
    return ADD_UPDATED;
  }
  // At a cap, the least recently refreshed template makes room (the exporter's own when its share is
  // full): exporters that keep refreshing their templates keep them, whatever others send.
  const c = exporterCount(exporterId);
  if (<u32>load<u16>(c) >= maxPerExporter) evictOldest(exporterId, true);
  else if (freeCount == 0 && usedSlots >= maxSlots) evictOldest(0, false);
  if (freeCount == 0 && usedSlots >= maxSlots) return ADD_FULL; // Only if nothing could be evicted.
  let slot: u32;
  if (freeCount > 0) {
    freeCount--;
    slot = load<u32>(freeList + (<usize>freeCount << 2));
  } else {
    slot = usedSlots++;
  }
  const t = slots + <usize>slot * SLOT_SIZE;
  memory.copy(t, scratch, T_FIELDS + fieldBytes);
  store<f64>(t, reliable ? Infinity : nowMs, T_LAST_SEEN);
  store<u16>(c, load<u16>(c) + 1);
  let i = templateHash(exporterId, domain, templateId) & indexMask;
  while (true) { // Reuse the first tombstone or empty position.
    const ref = load<u32>(index + (<usize>i << 2));
    if (ref == EMPTY) break;
    if (ref == TOMBSTONE) {
      tombstones--;
      break;
    }
    i = (i + 1) & indexMask;
  }
  store<u32>(index + (<usize>i << 2), slot + 1);
  count(STAT_TEMPLATES_ADDED);
  event(EV_TEMPLATE_ADDED, t);
  return ADD_ADDED;
}

// evictOldest removes the least recently seen template (of exporterId only, if own).
function evictOldest(exporterId: u32, own: bool): void {
  let oldest: usize = 0;
  for (let slot: u32 = 0; slot < usedSlots; slot++) {
    const t = slots + <usize>slot * SLOT_SIZE;
    if ((<u32>load<u8>(t, T_FLAGS) & TF_USED) == 0 || (own && load<u32>(t, T_EXPORTER) != exporterId)) continue;
    if (oldest == 0 || load<f64>(t, T_LAST_SEEN) < load<f64>(oldest, T_LAST_SEEN)) oldest = t;
  }
  if (oldest == 0) return;
  const i = indexOf(load<u32>(oldest, T_EXPORTER), load<u32>(oldest, T_DOMAIN), <u32>load<u16>(oldest, T_ID));
  if (i >= 0) {
    event(EV_TEMPLATE_EVICTED, oldest);
    removeAt(<u32>i);
    count(STAT_TEMPLATES_FULL);
  }
}

// withdrawTemplate removes one template (RFC 7011 8.1); true if it was there.
export function withdrawTemplate(exporterId: u32, domain: u32, templateId: u32): bool {
  const i = indexOf(exporterId, domain, templateId);
  if (i < 0) return false;
  event(EV_TEMPLATE_WITHDRAWN, slotOf(load<u32>(index + (<usize>i << 2))));
  removeAt(<u32>i);
  count(STAT_TEMPLATES_WITHDRAWN);
  return true;
}

// withdrawAll removes every template of the domain that is (options ? options : data) templates.
export function withdrawAll(exporterId: u32, domain: u32, options: bool): void {
  for (let slot: u32 = 0; slot < usedSlots; slot++) {
    const t = slots + <usize>slot * SLOT_SIZE;
    const flags = <u32>load<u8>(t, T_FLAGS);
    if ((flags & TF_USED) == 0 || load<u32>(t, T_EXPORTER) != exporterId || load<u32>(t, T_DOMAIN) != domain) continue;
    if (((flags & TF_OPTIONS) != 0) != options) continue;
    withdrawTemplate(exporterId, domain, <u32>load<u16>(t, T_ID));
  }
}

// templateCount returns the number of templates held.
export function templateCount(): u32 {
  return usedSlots - freeCount;
}
