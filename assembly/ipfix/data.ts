// Data-set decoding through a compiled template (RFC 7011 3.4.3), one flow at a time into the host table.
import { load16be, loadUintBE } from "../bytes";
import { count } from "../memory";
import {
  STATUS_OK, ERR_BAD_RECORD, STAT_RECORDS, STAT_RECORDS_NO_ADDRESS, STAT_OPTIONS_RECORDS,
} from "../abi";
import {
  KIND_SKIP, KIND_SRC4, KIND_DST4, KIND_SRC6, KIND_DST6, KIND_OCTETS, KIND_PACKETS,
  KIND_START_MS, KIND_END_MS, KIND_START_S, KIND_END_S, KIND_SRC_PORT, KIND_DST_PORT, KIND_PROTO,
  KIND_TCP_FLAGS, VARLEN,
} from "./fields";
import { T_FIELD_COUNT, T_MIN_LENGTH, T_FLAGS, T_FIELDS, TF_OPTIONS, TF_VARLEN } from "./templates";
import { accountSource, accountDestination } from "../table/host-table";

// IPv4 addresses become IPv4-mapped IPv6 keys: bytes 8..15 are 00 00 ff ff a b c d.
@inline function mappedHi(p: usize): u64 {
  return (<u64>load<u32>(p) << 32) | 0xffff0000;
}

// decodeDataSet decodes the records in [p, end) with template t; a tail shorter than a record is padding.
export function decodeDataSet(t: usize, p: usize, end: usize, nowMs: f64): i32 {
  const fieldCount = <usize>load<u16>(t + T_FIELD_COUNT);
  const minLength = <usize>load<u16>(t + T_MIN_LENGTH);
  const tflags = <u32>load<u8>(t + T_FLAGS);
  const varlen = (tflags & TF_VARLEN) != 0;
  const options = (tflags & TF_OPTIONS) != 0;
  const fields = t + T_FIELDS;
  if (minLength == 0) return STATUS_OK; // Only zero-length fields: no record can be told apart.

  while (end - p >= minLength) {
    let srcLo: u64 = 0, srcHi: u64 = 0, dstLo: u64 = 0, dstHi: u64 = 0;
    let hasSrc = false, hasDst = false;
    let octets: u64 = 0, packets: u64 = 0;
    let startMs: f64 = 0, endMs: f64 = 0;
    for (let k: usize = 0; k < fieldCount; k++) {
      const f = fields + (k << 2);
      const kind = <u32>load<u16>(f);
      let len = <usize>load<u16>(f, 2);
      if (varlen) {
        if (len == VARLEN) { // RFC 7011 7: one length byte, or 255 and two more.
          if (p >= end) return recordError(p);
          len = <usize>load<u8>(p);
          p++;
          if (len == 255) {
            if (end - p < 2) return recordError(p);
            len = <usize>load16be(p);
            p += 2;
          }
        }
        if (end - p < len) return recordError(p);
      }
      switch (kind) {
        case KIND_SKIP: break;
        case KIND_SRC4: srcLo = 0; srcHi = mappedHi(p); hasSrc = true; break;
        case KIND_DST4: dstLo = 0; dstHi = mappedHi(p); hasDst = true; break;
        case KIND_SRC6: srcLo = load<u64>(p); srcHi = load<u64>(p, 8); hasSrc = true; break;
        case KIND_DST6: dstLo = load<u64>(p); dstHi = load<u64>(p, 8); hasDst = true; break;
        case KIND_OCTETS: octets = loadUintBE(p, <u32>len); break;
        case KIND_PACKETS: packets = loadUintBE(p, <u32>len); break;
        case KIND_START_MS: startMs = <f64>loadUintBE(p, <u32>len); break;
        case KIND_END_MS: endMs = <f64>loadUintBE(p, <u32>len); break;
        case KIND_START_S: startMs = <f64>loadUintBE(p, <u32>len) * 1000; break;
        case KIND_END_S: endMs = <f64>loadUintBE(p, <u32>len) * 1000; break;
        case KIND_SRC_PORT: case KIND_DST_PORT: case KIND_PROTO: case KIND_TCP_FLAGS: break; // Issue 4.
      }
      p += len;
    }
    if (options) {
      count(STAT_OPTIONS_RECORDS);
      continue;
    }
    if (!hasSrc && !hasDst) {
      count(STAT_RECORDS_NO_ADDRESS);
      continue;
    }
    if (startMs == 0) startMs = endMs != 0 ? endMs : nowMs;
    if (endMs == 0) endMs = startMs;
    if (hasSrc) accountSource(srcLo, srcHi, packets, octets, startMs, endMs);
    if (hasDst) accountDestination(dstLo, dstHi, packets, octets, startMs, endMs);
    count(STAT_RECORDS);
  }
  return STATUS_OK;
}

// failedAt is where the last malformed record was found, for the error context.
export let failedAt: usize = 0;

function recordError(p: usize): i32 {
  failedAt = p;
  return ERR_BAD_RECORD;
}
