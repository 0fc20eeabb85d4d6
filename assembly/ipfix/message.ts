// IPFIX message and set walking (RFC 7011 3.1, 3.3): header checks, template sets, data sets.
import { load16be, load32be } from "../bytes";
import { count, statsPtr } from "../memory";
import {
  STATUS_OK, STATUS_TEMPLATE_PENDING, ERR_TRUNCATED, ERR_BAD_SET_LENGTH, ERR_BAD_TEMPLATE, STAT_SETS_RESERVED,
  STAT_ERR_BAD_TEMPLATE, STAT_PACKETS_IPFIX, STAT_RECORDS, STAT_OPTIONS_RECORDS, STAT_RECORDS_NO_ADDRESS,
} from "../abi";
import { fieldKind } from "./fields";
import { withdrawTemplate, withdrawAll } from "./templates";
import { setMessageContext, failedAt } from "./data";
import { beginTemplate, addField, endTemplate, dataSet } from "../sets";
import { domainSlot, checkSequence } from "../exporter/state";
import { fail, notePending } from "../errors";

const HEADER_LENGTH: usize = 16; // version, length, exportTime, sequenceNumber, observationDomainId
const SET_HEADER_LENGTH: usize = 4; // setId, length
const SET_TEMPLATE: u32 = 2;
const SET_OPTIONS_TEMPLATE: u32 = 3;
const FIRST_DATA_SET: u32 = 256;
const ENTERPRISE_BIT: u32 = 0x8000;

// dataRecords counts data records decoded so far (flows, options, address-less), for the sequence check.
@inline function dataRecords(): u64 {
  return load<u64>(statsPtr + (<usize>STAT_RECORDS << 3)) + load<u64>(statsPtr + (<usize>STAT_OPTIONS_RECORDS << 3)) +
    load<u64>(statsPtr + (<usize>STAT_RECORDS_NO_ADDRESS << 3));
}

// decodeIpfix decodes one IPFIX message at msg. Sets are walked by their lengths; a bad set is reported
// and skipped, and the walk goes on with the next one.
export function decodeIpfix(msg: usize, len: usize, exporterId: u32, nowMs: f64): void {
  count(STAT_PACKETS_IPFIX);
  if (len < HEADER_LENGTH) return fail(ERR_TRUNCATED, msg, 0, 0);
  const msgLength = <usize>load16be(msg + 2);
  const domainId = load32be(msg + 12);
  if (msgLength < HEADER_LENGTH) return fail(ERR_TRUNCATED, msg + 2, domainId, 0);
  // A message cut short (its length says more than arrived) is counted as truncated, and the sets that
  // did arrive whole are still decoded. Bytes past the length are ignored (quirk 4).
  if (msgLength > len) fail(ERR_TRUNCATED, msg + 2, domainId, 0);
  const exportMs = <f64>load32be(msg + 4) * 1000;
  const sequence = load32be(msg + 8);
  const d = domainSlot(exporterId, domainId, nowMs);
  setMessageContext(10, exportMs, 0, d, domainId, nowMs);
  const recordsBefore = dataRecords();
  let allCounted = true;
  const end = msg + (msgLength < len ? msgLength : len);
  const datagramEnd = msg + len;
  let p = msg + HEADER_LENGTH;
  while (end - p >= SET_HEADER_LENGTH) {
    const setId = load16be(p);
    const setLength = <usize>load16be(p + 2);
    if (setId == 0 && setLength == 0) break; // Zero padding after the last set.
    if (setLength < SET_HEADER_LENGTH || setLength > datagramEnd - p) {
      fail(ERR_BAD_SET_LENGTH, p, domainId, setId);
      allCounted = false;
      break; // The rest of the message cannot be framed.
    }
    // A set that runs past the header's length but not past the datagram: the header length is the one
    // that is wrong (telegraf#14370: 290 in the header, 292 on the wire); the set is kept.
    const body = p + SET_HEADER_LENGTH;
    const setEnd = p + setLength;
    if (setId == SET_TEMPLATE || setId == SET_OPTIONS_TEMPLATE) {
      templateSet(body, setEnd, exporterId, domainId, setId == SET_OPTIONS_TEMPLATE, nowMs);
    } else if (setId >= FIRST_DATA_SET) {
      const status = dataSet(exporterId, domainId, setId, body, setEnd, nowMs);
      if (status == STATUS_TEMPLATE_PENDING) {
        notePending();
        allCounted = false;
      } else if (status != STATUS_OK) {
        fail(status, failedAt, domainId, setId);
        allCounted = false;
      }
    } else {
      count(STAT_SETS_RESERVED);
    }
    p = setEnd;
    if (p >= end) break; // A kept set may end past the header's length: end - p must not wrap.
  }
  // RFC 7011 3.1: the sequence number counts the domain's data records sent before this message.
  checkSequence(d, sequence, sequence + <u32>(dataRecords() - recordsBefore), allCounted);
}

// templateSet learns the (options) template records of one set (RFC 7011 3.4.1, 3.4.2), and withdrawals (8.1).
function templateSet(p: usize, end: usize, exporterId: u32, domainId: u32, isOptions: bool, nowMs: f64): void {
  const headerLength: usize = isOptions ? 6 : 4;
  while (end - p >= 4) { // A tail shorter than a record header is padding.
    const templateId = load16be(p);
    const fieldCount = load16be(p + 2);
    if (templateId == 0 && fieldCount == 0) return; // Zero padding.
    if (fieldCount == 0) { // Withdrawal: of one template, or of all (id 2: data templates, 3: options).
      if (templateId == SET_TEMPLATE || templateId == SET_OPTIONS_TEMPLATE) withdrawAll(exporterId, domainId, templateId == SET_OPTIONS_TEMPLATE);
      else if (templateId >= FIRST_DATA_SET) withdrawTemplate(exporterId, domainId, templateId);
      else return badTemplate(p, domainId, templateId);
      p += 4;
      continue;
    }
    if (templateId < FIRST_DATA_SET || end - p < headerLength) return badTemplate(p, domainId, templateId);
    const scopeCount = isOptions ? load16be(p + 4) : 0;
    if (scopeCount > fieldCount) return badTemplate(p, domainId, templateId);
    p += headerLength;
    beginTemplate(exporterId, domainId, templateId, isOptions);
    for (let k: u32 = 0; k < fieldCount; k++) {
      if (end - p < 4) return badTemplate(p, domainId, templateId);
      const ie = load16be(p);
      const flen = load16be(p + 2);
      p += 4;
      let pen: u32 = 0;
      if (ie & ENTERPRISE_BIT) {
        if (end - p < 4) return badTemplate(p, domainId, templateId);
        pen = load32be(p);
        p += 4;
      }
      // Scope fields compile like the others: a samplerId scope says which sampler the rate belongs to.
      addField(fieldKind(pen, ie & ~ENTERPRISE_BIT, flen), flen, ie & ~ENTERPRISE_BIT, pen, k < scopeCount);
    }
    if (!endTemplate(nowMs)) fail(ERR_BAD_TEMPLATE, p, domainId, templateId);
  }
}

function badTemplate(at: usize, domainId: u32, templateId: u32): void {
  count(STAT_ERR_BAD_TEMPLATE);
  fail(ERR_BAD_TEMPLATE, at, domainId, templateId);
}

