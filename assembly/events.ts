// Decode mode's event output: template events and options records, for `hostflow decode`.
import { allocRegion } from "./memory";

// Event layout (EVENT_SIZE bytes): 0 kind u8, 1 options u8, 2 template id u16, 4 field count u16,
// 6 min record length u16, 8 domain u32, 12 has (u32: 1 system init, 2 rate, 4 sampler), 16 system init f64,
// 24 rate f64, 32 sampler id u64.
export const EVENT_SIZE: usize = 40;
export const EVENT_CAPACITY: u32 = 1024;
export const EV_TEMPLATE_ADDED: u32 = 1;
export const EV_TEMPLATE_UPDATED: u32 = 2;
export const EV_TEMPLATE_WITHDRAWN: u32 = 3;
export const EV_TEMPLATE_EXPIRED: u32 = 4;
export const EV_TEMPLATE_EVICTED: u32 = 5;
export const EV_OPTIONS_RECORD: u32 = 6;
export const EV_TEMPLATE_FIELD: u32 = 7; // One field of the template whose event follows: 1 scope, 4 index, 6 length, 12 element id, 16 PEN.

let events: usize = 0;
let eventCount: u32 = 0;
let enabled = false;

export function initEvents(): void { events = allocRegion(<usize>EVENT_CAPACITY * EVENT_SIZE); }
export function setEventsEnabled(on: bool): void { enabled = on; eventCount = 0; }
export function eventsPtr(): usize { return events; }
export function eventsCount(): u32 { return eventCount; }
export function resetEvents(): void { eventCount = 0; }

// next returns the next event slot, or 0 when not in decode mode or full.
function next(kind: u32, domain: u32, templateId: u32): usize {
  if (!enabled || eventCount >= EVENT_CAPACITY) return 0;
  const e = events + <usize>eventCount * EVENT_SIZE;
  eventCount++;
  memory.fill(e, 0, EVENT_SIZE);
  store<u8>(e, <u8>kind);
  store<u16>(e, <u16>templateId, 2);
  store<u32>(e, domain, 8);
  return e;
}

// templateEvent records a template added, updated, withdrawn, expired or evicted.
export function templateEvent(kind: u32, domain: u32, templateId: u32, options: bool, fieldCount: u32, minLength: u32): void {
  const e = next(kind, domain, templateId);
  if (e == 0) return;
  store<u8>(e, options ? 1 : 0, 1);
  store<u16>(e, <u16>fieldCount, 4);
  store<u16>(e, <u16>minLength, 6);
}

// fieldEvent records one field of a template being parsed (its added/updated event follows it).
export function fieldEvent(domain: u32, templateId: u32, index: u32, ie: u32, pen: u32, len: u32, scope: bool): void {
  const e = next(EV_TEMPLATE_FIELD, domain, templateId);
  if (e == 0) return;
  store<u8>(e, scope ? 1 : 0, 1);
  store<u16>(e, <u16>index, 4);
  store<u16>(e, <u16>len, 6);
  store<u32>(e, ie, 12);
  store<u32>(e, pen, 16);
}

// optionsEvent records what an options record announced.
export function optionsEvent(domain: u32, templateId: u32, sysInit: f64, rate: f64, hasSampler: bool, samplerId: u64): void {
  const e = next(EV_OPTIONS_RECORD, domain, templateId);
  if (e == 0) return;
  store<u8>(e, 1, 1);
  let has: u32 = 0;
  if (sysInit > 0) { has |= 1; store<f64>(e, sysInit, 16); }
  if (rate >= 1) { has |= 2; store<f64>(e, rate, 24); }
  if (hasSampler) { has |= 4; store<u64>(e, samplerId, 32); }
  store<u32>(e, has, 12);
}
