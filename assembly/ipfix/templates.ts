// Template cache: templateKey(exporterId, obsDomainId, templateId) -> compiled template, in fixed slots.
import { allocRegion, count } from "../memory";
import { STAT_TEMPLATES_ADDED, STAT_TEMPLATES_UPDATED, STAT_TEMPLATES_FULL } from "../abi";
import { mix64 } from "../table/hash";

// MAX_FIELDS caps the fields of one template; longer templates are refused (counted).
export const MAX_FIELDS: u32 = 256;

// Template slot layout (bytes):
// ┌──────────┬────────┬────────────┬────────────┬───────────┬───────┬─────┬──────────────────────────┐
// │ 0 export │ 4 dom. │ 8 templId  │ 10 fields  │ 12 minLen │ 14 fl │ 15  │ 16 fields × (kind u16,   │
// │   u32    │  u32   │    u16     │    u16     │    u16    │  u8   │ pad │        length u16)       │
// └──────────┴────────┴────────────┴────────────┴───────────┴───────┴─────┴──────────────────────────┘
export const SLOT_SIZE: usize = 16 + <usize>MAX_FIELDS * 4;
export const T_EXPORTER: usize = 0;
export const T_DOMAIN: usize = 4;
export const T_ID: usize = 8;
export const T_FIELD_COUNT: usize = 10;
export const T_MIN_LENGTH: usize = 12;
export const T_FLAGS: usize = 14;
export const T_FIELDS: usize = 16;

export const TF_USED: u32 = 1;
export const TF_OPTIONS: u32 = 2; // Options template: its data records describe the exporter, not flows.
export const TF_VARLEN: u32 = 4; // Has variable-length fields: records need a per-field bounds check.

export const ADD_ADDED: i32 = 0;
export const ADD_UPDATED: i32 = 1;
export const ADD_UNCHANGED: i32 = 2;
export const ADD_FULL: i32 = 3;

let slots: usize = 0; // maxTemplates slots.
let maxSlots: u32 = 0;
let usedSlots: u32 = 0;
let index: usize = 0; // Open-addressing index of u32 (slot + 1, 0 = empty).
let indexMask: u32 = 0;

// scratch holds the template being parsed, so that a malformed one never touches the cache.
export let scratch: usize = 0;

// initTemplates allocates room for maxTemplates templates.
export function initTemplates(maxTemplates: u32): void {
  maxSlots = maxTemplates;
  slots = allocRegion(<usize>maxTemplates * SLOT_SIZE);
  let cap: u32 = 16;
  while (cap < maxTemplates * 2) cap <<= 1;
  index = allocRegion(<usize>cap * 4);
  indexMask = cap - 1;
  scratch = allocRegion(SLOT_SIZE);
  usedSlots = 0;
}

@inline function templateHash(exporterId: u32, domain: u32, templateId: u32): u32 {
  return <u32>mix64((<u64>exporterId << 32 | <u64>domain) ^ (<u64>templateId << 48) ^ <u64>templateId);
}

@inline function matches(t: usize, exporterId: u32, domain: u32, templateId: u32): bool {
  return load<u32>(t + T_EXPORTER) == exporterId && load<u32>(t + T_DOMAIN) == domain &&
    <u32>load<u16>(t + T_ID) == templateId;
}

// findTemplate returns the slot address of a known template, or 0.
export function findTemplate(exporterId: u32, domain: u32, templateId: u32): usize {
  let i = templateHash(exporterId, domain, templateId) & indexMask;
  while (true) {
    const ref = load<u32>(index + (<usize>i << 2));
    if (ref == 0) return 0;
    const t = slots + <usize>(ref - 1) * SLOT_SIZE;
    if (matches(t, exporterId, domain, templateId)) return t;
    i = (i + 1) & indexMask;
  }
}

// commitScratch stores the template in scratch under its key: added, updated (newest wins) or unchanged.
export function commitScratch(): i32 {
  const exporterId = load<u32>(scratch + T_EXPORTER);
  const domain = load<u32>(scratch + T_DOMAIN);
  const templateId = <u32>load<u16>(scratch + T_ID);
  const size = T_FIELDS + (<usize>load<u16>(scratch + T_FIELD_COUNT) << 2);
  let i = templateHash(exporterId, domain, templateId) & indexMask;
  while (true) {
    const ref = load<u32>(index + (<usize>i << 2));
    if (ref == 0) break;
    const t = slots + <usize>(ref - 1) * SLOT_SIZE;
    if (matches(t, exporterId, domain, templateId)) {
      if (memory.compare(t, scratch, size) == 0) return ADD_UNCHANGED;
      memory.copy(t, scratch, size);
      count(STAT_TEMPLATES_UPDATED);
      return ADD_UPDATED;
    }
    i = (i + 1) & indexMask;
  }
  if (usedSlots >= maxSlots) {
    count(STAT_TEMPLATES_FULL);
    return ADD_FULL;
  }
  const t = slots + <usize>usedSlots * SLOT_SIZE;
  memory.copy(t, scratch, size);
  usedSlots++;
  store<u32>(index + (<usize>i << 2), usedSlots);
  count(STAT_TEMPLATES_ADDED);
  return ADD_ADDED;
}

// templateCount returns the number of templates held.
export function templateCount(): u32 {
  return usedSlots;
}
