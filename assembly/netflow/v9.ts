// NetFlow v9 (RFC 3954): header and flowset differences from IPFIX. Field types are plain 16-bit numbers
// (no enterprise bit, quirk 14); the header count is a hint, flowsets are walked by their lengths.
import { load16be, load32be } from "../bytes";
import { count } from "../memory";
import {
  STATUS_OK, STATUS_TEMPLATE_PENDING, ERR_TRUNCATED, ERR_BAD_SET_LENGTH, ERR_BAD_TEMPLATE, STAT_SETS_RESERVED,
  STAT_ERR_BAD_TEMPLATE, STAT_PACKETS_V9,
} from "../abi";
import { fieldKind, KIND_SKIP } from "../ipfix/fields";
import { setMessageContext, failedAt } from "../ipfix/data";
import { beginTemplate, addField, endTemplate, dataSet } from "../sets";
import { domainSlot, checkSequence } from "../exporter/state";
import { fail, notePending } from "../errors";

const HEADER_LENGTH: usize = 20; // version, count, sysUptime, unixSecs, sequence, sourceId
const FLOWSET_TEMPLATE: u32 = 0;
const FLOWSET_OPTIONS_TEMPLATE: u32 = 1;
const FIRST_DATA_FLOWSET: u32 = 256;

// decodeV9 decodes one NetFlow v9 export packet at msg.
export function decodeV9(msg: usize, len: usize, exporterId: u32, nowMs: f64): void {
  count(STAT_PACKETS_V9);
  if (len < HEADER_LENGTH) return fail(ERR_TRUNCATED, msg, 0, 0);
  const uptime = load32be(msg + 4);
  const exportMs = <f64>load32be(msg + 8) * 1000;
  const sequence = load32be(msg + 12);
  const sourceId = load32be(msg + 16);
  const d = domainSlot(exporterId, sourceId, nowMs);
  setMessageContext(9, exportMs, uptime, d, sourceId, nowMs);
  const end = msg + len;
  let p = msg + HEADER_LENGTH;
  while (end - p >= 4) {
    const setId = load16be(p);
    const setLength = <usize>load16be(p + 2);
    if (setLength == 0 && isZero(p, end)) break; // A zero-filled tail ends the walk quietly.
    if (setLength < 4 || setLength > end - p) {
      fail(ERR_BAD_SET_LENGTH, p, sourceId, setId);
      break;
    }
    const body = p + 4;
    const setEnd = p + setLength;
    if (setId == FLOWSET_TEMPLATE) {
      templateFlowset(body, setEnd, exporterId, sourceId, nowMs);
    } else if (setId == FLOWSET_OPTIONS_TEMPLATE) {
      optionsTemplateFlowset(body, setEnd, exporterId, sourceId, nowMs);
    } else if (setId >= FIRST_DATA_FLOWSET) {
      const status = dataSet(exporterId, sourceId, setId, body, setEnd, nowMs);
      if (status == STATUS_TEMPLATE_PENDING) notePending();
      else if (status != STATUS_OK) fail(status, failedAt, sourceId, setId);
    } else {
      count(STAT_SETS_RESERVED);
    }
    p = setEnd;
  }
  // RFC 3954 5.1: the sequence number counts export packets.
  checkSequence(d, sequence, sequence + 1, true);
}

function isZero(p: usize, end: usize): bool {
  for (; p < end; p++) if (load<u8>(p) != 0) return false;
  return true;
}

// templateFlowset learns template records: id, field count, then (type, length) pairs (RFC 3954 5.2).
function templateFlowset(p: usize, end: usize, exporterId: u32, sourceId: u32, nowMs: f64): void {
  while (end - p >= 4) {
    const templateId = load16be(p);
    const fieldCount = load16be(p + 2);
    if (templateId == 0 && fieldCount == 0) return; // Padding.
    if (templateId < FIRST_DATA_FLOWSET || fieldCount == 0 || end - p - 4 < <usize>fieldCount * 4) {
      return badTemplate(p, sourceId, templateId);
    }
    p += 4;
    beginTemplate(exporterId, sourceId, templateId, false);
    for (let k: u32 = 0; k < fieldCount; k++) {
      const type = load16be(p);
      const flen = load16be(p + 2);
      p += 4;
      addField(fieldKind(0, type, flen), flen, type, 0, false);
    }
    if (!endTemplate(nowMs)) fail(ERR_BAD_TEMPLATE, p, sourceId, templateId);
  }
}

// optionsTemplateFlowset learns options templates: id, scope length and option length in bytes, then
// scope fields (whose types are scope kinds: system, interface, ..., not elements) and option fields
// (RFC 3954 6.1). A scope length of 0 is valid (quirk 7).
function optionsTemplateFlowset(p: usize, end: usize, exporterId: u32, sourceId: u32, nowMs: f64): void {
  while (end - p >= 6) {
    const templateId = load16be(p);
    const scopeLength = <usize>load16be(p + 2);
    const optionLength = <usize>load16be(p + 4);
    if (templateId == 0 && scopeLength == 0 && optionLength == 0) return; // Padding.
    if (templateId < FIRST_DATA_FLOWSET || (scopeLength & 3) != 0 || (optionLength & 3) != 0 ||
      end - p - 6 < scopeLength + optionLength) {
      return badTemplate(p, sourceId, templateId);
    }
    p += 6;
    beginTemplate(exporterId, sourceId, templateId, true);
    const scopeEnd = p + scopeLength;
    const fieldsEnd = scopeEnd + optionLength;
    for (; p < fieldsEnd; p += 4) {
      const flen = load16be(p + 2);
      const type = load16be(p);
      addField(p < scopeEnd ? KIND_SKIP : fieldKind(0, type, flen), flen, type, 0, p < scopeEnd);
    }
    if (!endTemplate(nowMs)) fail(ERR_BAD_TEMPLATE, p, sourceId, templateId);
  }
}

function badTemplate(at: usize, sourceId: u32, templateId: u32): void {
  count(STAT_ERR_BAD_TEMPLATE);
  fail(ERR_BAD_TEMPLATE, at, sourceId, templateId);
}
