// What IPFIX and NetFlow v9 share after their headers: building templates, and data sets through
// the template cache, holding those whose template has not arrived yet.
import { count, setStat } from "./memory";
import {
  STATUS_TEMPLATE_PENDING, STAT_SETS_NO_TEMPLATE, STAT_LAST_DOMAIN, STAT_LAST_TEMPLATE,
  STAT_ERR_BAD_TEMPLATE,
} from "./abi";
import {
  scratch, findTemplate, commitScratch, MAX_FIELDS, T_EXPORTER, T_DOMAIN, T_ID, T_FIELD_COUNT, T_MIN_LENGTH, T_FLAGS,
  T_FIELDS, TF_USED, TF_OPTIONS, TF_VARLEN, ADD_ADDED, ADD_UPDATED,
} from "./ipfix/templates";
import { VARLEN, KIND_SKIP, isAddressKind } from "./ipfix/fields";
import {
  decodeDataSet, setMessageContext, contextExportMs, contextUptimeMs, contextVersion, contextDomain, contextNowMs,
} from "./ipfix/data";
import { setFromHeld } from "./flow";
import { fieldEvent } from "./events";
import { hold, takeHeld, heldVersion, heldExportMs, heldUptime, heldArrival, heldBody, heldEnd } from "./pending";

let fieldCount: u32 = 0;
let kindsSeen: u64 = 0; // Kinds already in this template: a repeated element is compiled to SKIP (first wins).
let minLength: u32 = 0;
let tflags: u32 = 0;

// beginTemplate starts compiling a template into scratch.
export function beginTemplate(exporterId: u32, domain: u32, templateId: u32, options: bool): void {
  store<u32>(scratch, exporterId, T_EXPORTER);
  store<u32>(scratch, domain, T_DOMAIN);
  store<u16>(scratch, <u16>templateId, T_ID);
  fieldCount = 0;
  kindsSeen = 0;
  minLength = 0;
  tflags = TF_USED | (options ? TF_OPTIONS : 0);
}

// addField appends a field of a kind and a wire length (VARLEN for variable length); ie and pen (and
// scope, for NetFlow v9 options scope types) only describe it in decode mode's events.
export function addField(kind: u32, len: u32, ie: u32, pen: u32, scope: bool): void {
  fieldEvent(load<u32>(scratch, T_DOMAIN), <u32>load<u16>(scratch, T_ID), fieldCount, ie, pen, len, scope);
  // When a template repeats an element (outer and inner headers), the first occurrence wins, as in
  // tshark; addresses are the exception, settled per record (an all-zero one gives way to a later one).
  const bit: u64 = <u64>1 << <u64>kind;
  if (kind != KIND_SKIP && !isAddressKind(kind)) {
    if (kindsSeen & bit) kind = KIND_SKIP;
    else kindsSeen |= bit;
  }
  if (fieldCount < MAX_FIELDS) store<u32>(scratch + T_FIELDS + (<usize>fieldCount << 2), kind | (len << 16));
  fieldCount++;
  if (len == VARLEN) {
    tflags |= TF_VARLEN;
    minLength += 1;
  } else {
    minLength += len;
  }
}

// endTemplate commits the template (false if over the caps) and decodes the sets held for it.
export function endTemplate(nowMs: f64): bool {
  const templateId = <u32>load<u16>(scratch, T_ID);
  if (fieldCount > MAX_FIELDS || minLength > 0xffff) {
    count(STAT_ERR_BAD_TEMPLATE);
    return false;
  }
  store<u16>(scratch, <u16>fieldCount, T_FIELD_COUNT);
  store<u16>(scratch, <u16>minLength, T_MIN_LENGTH);
  store<u8>(scratch, <u8>tflags, T_FLAGS);
  const exporterId = load<u32>(scratch, T_EXPORTER);
  const domain = load<u32>(scratch, T_DOMAIN);
  const result = commitScratch(nowMs);
  if (result == ADD_ADDED || result == ADD_UPDATED) releaseHeld(exporterId, domain, templateId, nowMs);
  return true;
}

function releaseHeld(exporterId: u32, domain: u32, templateId: u32, nowMs: f64): void {
  const t = findTemplate(exporterId, domain, templateId, nowMs);
  if (t == 0) return;
  const version = contextVersion(), exportMs = contextExportMs(), uptime = contextUptimeMs();
  const d = contextDomain(), arrival = contextNowMs();
  while (true) {
    const s = takeHeld(exporterId, domain, templateId, nowMs);
    if (s == 0) break;
    setMessageContext(heldVersion(s), heldExportMs(s), heldUptime(s), d, domain, heldArrival(s));
    setFromHeld(true);
    decodeDataSet(t, heldBody(s), heldEnd(s));
    setFromHeld(false);
  }
  setMessageContext(version, exportMs, uptime, d, domain, arrival);
}

// dataSet decodes a data set through its template, or holds it until the template comes.
export function dataSet(exporterId: u32, domain: u32, setId: u32, body: usize, end: usize, nowMs: f64): i32 {
  const t = findTemplate(exporterId, domain, setId, nowMs);
  if (t == 0) {
    count(STAT_SETS_NO_TEMPLATE);
    setStat(STAT_LAST_DOMAIN, <u64>domain);
    setStat(STAT_LAST_TEMPLATE, <u64>setId);
    hold(exporterId, domain, setId, contextVersion(), contextExportMs(), contextUptimeMs(), nowMs, body, end - body);
    return STATUS_TEMPLATE_PENDING;
  }
  return decodeDataSet(t, body, end);
}

