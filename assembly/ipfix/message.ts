// IPFIX message and set walking (RFC 7011 3.1, 3.3): header checks, template sets, data sets.
import { load16be, load32be } from "../bytes";
import { count, setStat, inputPtr } from "../memory";
import {
  STATUS_OK, STATUS_TEMPLATE_PENDING, ERR_TRUNCATED, ERR_BAD_SET_LENGTH, ERR_BAD_TEMPLATE,
  STAT_SETS_NO_TEMPLATE, STAT_SETS_RESERVED, STAT_LAST_DOMAIN, STAT_LAST_TEMPLATE, STAT_LAST_ERROR_OFFSET,
  STAT_ERR_BAD_TEMPLATE,
} from "../abi";
import { fieldKind, KIND_SKIP, VARLEN } from "./fields";
import {
  scratch, findTemplate, commitScratch, MAX_FIELDS, T_EXPORTER, T_DOMAIN, T_ID, T_FIELD_COUNT,
  T_MIN_LENGTH, T_FLAGS, T_FIELDS, TF_USED, TF_OPTIONS, TF_VARLEN,
} from "./templates";
import { decodeDataSet, failedAt } from "./data";

const HEADER_LENGTH: usize = 16; // version, length, exportTime, sequenceNumber, observationDomainId
const SET_HEADER_LENGTH: usize = 4; // setId, length
const SET_TEMPLATE: u32 = 2;
const SET_OPTIONS_TEMPLATE: u32 = 3;
const FIRST_DATA_SET: u32 = 256;
const ENTERPRISE_BIT: u32 = 0x8000;

let firstError: i32 = STATUS_OK;
let pending = false;

function fail(code: i32, at: usize, domain: u32, templateId: u32): void {
  setStat(STAT_LAST_ERROR_OFFSET, <u64>(at - inputPtr));
  setStat(STAT_LAST_DOMAIN, <u64>domain);
  setStat(STAT_LAST_TEMPLATE, <u64>templateId);
  if (firstError == STATUS_OK) firstError = code;
}

// decodeIpfix decodes one IPFIX message at the start of the input region. Sets are walked by their
// lengths; a bad set is reported and skipped, and the walk goes on with the next one.
export function decodeIpfix(len: usize, exporterId: u32, nowMs: f64): i32 {
  const msg = inputPtr;
  firstError = STATUS_OK;
  pending = false;
  if (len < HEADER_LENGTH) {
    fail(ERR_TRUNCATED, msg, 0, 0);
    return ERR_TRUNCATED;
  }
  const msgLength = <usize>load16be(msg + 2);
  const domain = load32be(msg + 12);
  if (msgLength < HEADER_LENGTH || msgLength > len) { // Bytes past msgLength are ignored (quirk 4).
    fail(ERR_TRUNCATED, msg + 2, domain, 0);
    return ERR_TRUNCATED;
  }
  const end = msg + msgLength;
  let p = msg + HEADER_LENGTH;
  while (end - p >= SET_HEADER_LENGTH) {
    const setId = load16be(p);
    const setLength = <usize>load16be(p + 2);
    if (setLength < SET_HEADER_LENGTH || setLength > end - p) {
      fail(ERR_BAD_SET_LENGTH, p, domain, setId);
      break; // The rest of the message cannot be framed.
    }
    const body = p + SET_HEADER_LENGTH;
    const setEnd = p + setLength;
    if (setId == SET_TEMPLATE || setId == SET_OPTIONS_TEMPLATE) {
      parseTemplateSet(body, setEnd, exporterId, domain, setId == SET_OPTIONS_TEMPLATE);
    } else if (setId >= FIRST_DATA_SET) {
      const t = findTemplate(exporterId, domain, setId);
      if (t == 0) {
        count(STAT_SETS_NO_TEMPLATE);
        setStat(STAT_LAST_DOMAIN, <u64>domain);
        setStat(STAT_LAST_TEMPLATE, <u64>setId);
        pending = true;
      } else {
        const status = decodeDataSet(t, body, setEnd, nowMs);
        if (status != STATUS_OK) fail(status, failedAt, domain, setId);
      }
    } else {
      count(STAT_SETS_RESERVED);
    }
    p = setEnd;
  }
  if (firstError != STATUS_OK) return firstError;
  return pending ? STATUS_TEMPLATE_PENDING : STATUS_OK;
}

// parseTemplateSet learns the (options) template records of one set (RFC 7011 3.4.1, 3.4.2).
function parseTemplateSet(p: usize, end: usize, exporterId: u32, domain: u32, isOptions: bool): void {
  const headerLength: usize = isOptions ? 6 : 4;
  while (end - p >= headerLength) {
    const templateId = load16be(p);
    const fieldCount = load16be(p + 2);
    if (templateId == 0 && fieldCount == 0) return; // Zero padding at the end of the set.
    if (templateId < FIRST_DATA_SET) {
      badTemplate(p, domain, templateId);
      return;
    }
    p += headerLength;
    if (fieldCount == 0) continue; // Template withdrawal: not yet acted on; the template expires by redefinition.
    let minLength: u32 = 0;
    let tflags: u32 = TF_USED | (isOptions ? TF_OPTIONS : 0);
    for (let k: u32 = 0; k < fieldCount; k++) {
      if (end - p < 4) {
        badTemplate(p, domain, templateId);
        return;
      }
      const ie = load16be(p);
      const flen = load16be(p + 2);
      p += 4;
      let kind = KIND_SKIP;
      if (ie & ENTERPRISE_BIT) {
        if (end - p < 4) {
          badTemplate(p, domain, templateId);
          return;
        }
        p += 4; // Private Enterprise Number: unknown elements are skipped by their length.
      } else if (!isOptions) {
        kind = fieldKind(ie, flen);
      }
      if (flen == VARLEN) {
        tflags |= TF_VARLEN;
        minLength += 1;
      } else {
        minLength += flen;
      }
      if (k < MAX_FIELDS) store<u32>(scratch + T_FIELDS + (<usize>k << 2), kind | (flen << 16));
    }
    if (fieldCount > MAX_FIELDS || minLength > 0xffff) {
      badTemplate(p, domain, templateId);
      continue;
    }
    store<u32>(scratch + T_EXPORTER, exporterId);
    store<u32>(scratch + T_DOMAIN, domain);
    store<u16>(scratch + T_ID, <u16>templateId);
    store<u16>(scratch + T_FIELD_COUNT, <u16>fieldCount);
    store<u16>(scratch + T_MIN_LENGTH, <u16>minLength);
    store<u8>(scratch + T_FLAGS, <u8>tflags);
    commitScratch();
  }
}

function badTemplate(at: usize, domain: u32, templateId: u32): void {
  count(STAT_ERR_BAD_TEMPLATE);
  fail(ERR_BAD_TEMPLATE, at, domain, templateId);
}
