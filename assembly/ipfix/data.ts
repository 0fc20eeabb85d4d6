// Data-set decoding through a compiled template (RFC 7011 3.4.3; NetFlow v9 data flowsets alike).
import { load16be, load32be, loadUintBE } from "../bytes";
import { count } from "../memory";
import { STATUS_OK, ERR_BAD_RECORD, STAT_RECORDS, STAT_RECORDS_NO_ADDRESS, STAT_OPTIONS_RECORDS } from "../abi";
import {
  KIND_SKIP, KIND_SRC4, KIND_DST4, KIND_SRC6, KIND_DST6, KIND_SRC_PORT, KIND_DST_PORT, KIND_PROTO, KIND_TCP_FLAGS,
  KIND_OCTETS, KIND_PACKETS, KIND_OCTETS_TOTAL, KIND_PACKETS_TOTAL, KIND_OCTETS_POST, KIND_PACKETS_POST,
  KIND_REV_OCTETS, KIND_REV_PACKETS, KIND_REV_OCTETS_TOTAL, KIND_REV_PACKETS_TOTAL, KIND_REV_TCP_FLAGS, KIND_START_S, KIND_END_S, KIND_START_MS, KIND_END_MS, KIND_START_NTP, KIND_END_NTP,
  KIND_START_DELTA_US, KIND_END_DELTA_US, KIND_START_UPTIME, KIND_END_UPTIME, KIND_SYSINIT_MS, KIND_SAMPLING_INTERVAL,
  KIND_SAMPLING_PKT_INTERVAL, KIND_SAMPLING_PKT_SPACE, KIND_SAMPLING_SIZE, KIND_SAMPLING_POPULATION, KIND_SAMPLER_ID,
  VARLEN,
} from "./fields";
import { T_ID, T_FIELD_COUNT, T_MIN_LENGTH, T_FLAGS, T_FIELDS, TF_OPTIONS, TF_VARLEN } from "./templates";
import { emitFlow, setSource, setDestination, FF_SRC, FF_DST, FF_REVERSE, FF_TIMES, FF_PORTS, FF_PROTO, FF_TCP_FLAGS } from "../flow";
import { systemInitMs, setSystemInitMs, setRate, rateFor } from "../exporter/state";
import { optionsEvent } from "../events";

// IPv4 addresses become IPv4-mapped IPv6 keys: bytes 8..15 are 00 00 ff ff a b c d.
@inline function mappedHi(p: usize): u64 {
  return (<u64>load<u32>(p) << 32) | 0xffff0000;
}

const NTP_UNIX_OFFSET_S: f64 = 2208988800; // Seconds from 1900 (NTP era 0) to 1970.

// The message a data set came in: what its relative times are relative to.
let ctxExportMs: f64 = 0; // IPFIX export time, or NetFlow v9 unix seconds, in ms.
let ctxUptimeMs: u32 = 0; // NetFlow v9 header sysUptime: switched times are relative to it.
let ctxV9 = false;
let ctxDomain: usize = 0; // The domain's state slot.
let ctxDomainId: u32 = 0;
let ctxNowMs: f64 = 0; // Arrival time: the fallback for records without times.
let ctxVersion: u32 = 0;

// setMessageContext is called by the message decoders before their data sets.
export function setMessageContext(version: u32, exportMs: f64, uptimeMs: u32, domain: usize, domainId: u32, nowMs: f64): void {
  ctxVersion = version;
  ctxV9 = version == 9;
  ctxExportMs = exportMs;
  ctxUptimeMs = uptimeMs;
  ctxDomain = domain;
  ctxDomainId = domainId;
  ctxNowMs = nowMs;
}

// The message context's parts, for holding a data set until its template comes.
export function contextExportMs(): f64 { return ctxExportMs; }
export function contextUptimeMs(): u32 { return ctxUptimeMs; }
export function contextVersion(): u32 { return ctxVersion; }
export function contextDomain(): usize { return ctxDomain; }
export function contextNowMs(): f64 { return ctxNowMs; }

// failedAt is where the last malformed record was found, for the error context.
export let failedAt: usize = 0;

@inline function ntpToMs(p: usize): f64 {
  const seconds = <f64>load32be(p);
  const fraction = <f64>load32be(p + 4);
  return (seconds - NTP_UNIX_OFFSET_S) * 1000 + fraction * 1000 / 4294967296.0;
}

// uptimeToMs turns exporter uptime (ms) into epoch ms: v9 against the header's sysUptime and unix seconds,
// in modulo-2^32 arithmetic (quirk 12); IPFIX against systemInitTimeMilliseconds. 0 when unknown.
@inline function uptimeToMs(v: u64, width: u32, sysInitMs: f64): f64 {
  if (ctxV9) {
    const diff = width <= 4 ? <f64><i32>(<u32>v - ctxUptimeMs) : <f64>(<i64>v - <i64>ctxUptimeMs);
    return ctxExportMs + diff;
  }
  return sysInitMs > 0 ? sysInitMs + <f64>v : 0;
}

// decodeDataSet decodes the records in [p, end) with template t; a tail shorter than a record is padding.
export function decodeDataSet(t: usize, p: usize, end: usize): i32 {
  const fieldCount = <usize>load<u16>(t, T_FIELD_COUNT);
  const minLength = <usize>load<u16>(t, T_MIN_LENGTH);
  const tflags = <u32>load<u8>(t, T_FLAGS);
  const varlen = (tflags & TF_VARLEN) != 0;
  const options = (tflags & TF_OPTIONS) != 0;
  const templateId = <u32>load<u16>(t, T_ID);
  const fields = t + T_FIELDS;
  if (minLength == 0) return STATUS_OK; // Only zero-length fields: no record can be told apart.
  recordsInSet = 0;
  const status = walkRecords(fieldCount, minLength, varlen, options, templateId, fields, p, end);
  if (recordsInSet != 0) count(STAT_RECORDS, recordsInSet); // Once per set, not per record.
  return status;
}

let recordsInSet: u64 = 0;

// walkRecords decodes records until the set's end; a record running past it is an error.
function walkRecords(fieldCount: usize, minLength: usize, varlen: bool, options: bool, templateId: u32, fields: usize, p: usize, end: usize): i32 {
  while (end - p >= minLength) {
    let flags: u32 = 0;
    let octets: u64 = 0, packets: u64 = 0, octetsTotal: u64 = 0, packetsTotal: u64 = 0;
    let octetsPost: u64 = 0, packetsPost: u64 = 0, revOctets: u64 = 0, revPackets: u64 = 0;
    let has: u32 = 0; // Bit per counter kind present: delta 1, total (or initiator) 2, post 4, reverse (or responder) 16.
    let srcPort: u32 = 0, dstPort: u32 = 0, proto: u32 = 0, tcpFlags: u32 = 0, revTcpFlags: u32 = 0;
    let startMs: f64 = 0, endMs: f64 = 0;
    let startUp: u64 = 0, endUp: u64 = 0, startUpWidth: u32 = 0, endUpWidth: u32 = 0;
    let sysInit: f64 = 0;
    let interval: f64 = 0, pktInterval: f64 = 0, pktSpace: f64 = 0, size: f64 = 0, population: f64 = 0;
    let samplerId: u64 = 0, hasSampler = false;
    let srcFree = true, dstFree = true; // No address yet, or only an all-zero one.
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
      const w = <u32>len;
      // Repeated elements were compiled to SKIP (first wins); an all-zero address gives way to a later one.
      switch (kind) {
        case KIND_SKIP: break;
        case KIND_SRC4: if (srcFree) { setSource(0, mappedHi(p)); flags |= FF_SRC; srcFree = load<u32>(p) == 0; } break;
        case KIND_DST4: if (dstFree) { setDestination(0, mappedHi(p)); flags |= FF_DST; dstFree = load<u32>(p) == 0; } break;
        case KIND_SRC6: if (srcFree) { setSource(load<u64>(p), load<u64>(p, 8)); flags |= FF_SRC; srcFree = (load<u64>(p) | load<u64>(p, 8)) == 0; } break;
        case KIND_DST6: if (dstFree) { setDestination(load<u64>(p), load<u64>(p, 8)); flags |= FF_DST; dstFree = (load<u64>(p) | load<u64>(p, 8)) == 0; } break;
        case KIND_SRC_PORT: srcPort = <u32>loadUintBE(p, w); flags |= FF_PORTS; break;
        case KIND_DST_PORT: dstPort = <u32>loadUintBE(p, w); flags |= FF_PORTS; break;
        case KIND_PROTO: proto = <u32>loadUintBE(p, w); flags |= FF_PROTO; break;
        case KIND_TCP_FLAGS: tcpFlags = <u32>loadUintBE(p, w); flags |= FF_TCP_FLAGS; break;
        case KIND_OCTETS: octets = loadUintBE(p, w); has |= 1; break;
        case KIND_PACKETS: packets = loadUintBE(p, w); has |= 1; break;
        case KIND_OCTETS_TOTAL: octetsTotal = loadUintBE(p, w); has |= 2; break;
        case KIND_PACKETS_TOTAL: packetsTotal = loadUintBE(p, w); has |= 2; break;
        case KIND_OCTETS_POST: octetsPost = loadUintBE(p, w); has |= 4; break;
        case KIND_PACKETS_POST: packetsPost = loadUintBE(p, w); has |= 4; break;
        case KIND_REV_OCTETS: case KIND_REV_OCTETS_TOTAL: revOctets = loadUintBE(p, w); has |= 16; break;
        case KIND_REV_PACKETS: case KIND_REV_PACKETS_TOTAL: revPackets = loadUintBE(p, w); has |= 16; break;
        case KIND_REV_TCP_FLAGS: revTcpFlags = <u32>loadUintBE(p, w); break;
        case KIND_START_S: startMs = <f64>loadUintBE(p, w) * 1000; break;
        case KIND_END_S: endMs = <f64>loadUintBE(p, w) * 1000; break;
        case KIND_START_MS: startMs = <f64>loadUintBE(p, w); break;
        case KIND_END_MS: endMs = <f64>loadUintBE(p, w); break;
        case KIND_START_NTP: startMs = ntpToMs(p); break;
        case KIND_END_NTP: endMs = ntpToMs(p); break;
        case KIND_START_DELTA_US: startMs = ctxExportMs - <f64>loadUintBE(p, w) / 1000; break;
        case KIND_END_DELTA_US: endMs = ctxExportMs - <f64>loadUintBE(p, w) / 1000; break;
        case KIND_START_UPTIME: startUp = loadUintBE(p, w); startUpWidth = w; break;
        case KIND_END_UPTIME: endUp = loadUintBE(p, w); endUpWidth = w; break;
        case KIND_SYSINIT_MS: sysInit = <f64>loadUintBE(p, w); break;
        case KIND_SAMPLING_INTERVAL: interval = <f64>loadUintBE(p, w); break;
        case KIND_SAMPLING_PKT_INTERVAL: pktInterval = <f64>loadUintBE(p, w); break;
        case KIND_SAMPLING_PKT_SPACE: pktSpace = <f64>loadUintBE(p, w); break;
        case KIND_SAMPLING_SIZE: size = <f64>loadUintBE(p, w); break;
        case KIND_SAMPLING_POPULATION: population = <f64>loadUintBE(p, w); break;
        case KIND_SAMPLER_ID: samplerId = loadUintBE(p, w); hasSampler = true; break;
      }
      p += len;
    }
    // A rate carried by the record itself.
    let rate: f64 = 0;
    if (interval >= 1) rate = interval;
    else if (pktInterval >= 1) rate = (pktInterval + pktSpace) / pktInterval;
    else if (size >= 1 && population >= size) rate = population / size;

    if (options) {
      count(STAT_OPTIONS_RECORDS);
      optionsEvent(ctxDomainId, templateId, sysInit, rate, hasSampler, samplerId);
      if (sysInit > 0) setSystemInitMs(ctxDomain, sysInit);
      if (rate >= 1) setRate(ctxDomain, hasSampler, samplerId, rate);
      continue;
    }
    if ((flags & (FF_SRC | FF_DST)) == 0) {
      count(STAT_RECORDS_NO_ADDRESS);
      continue;
    }
    // Counters: delta, else total, else initiator, else post (v9 OUT_*).
    if (!(has & 1)) {
      if (has & 2) { octets = octetsTotal; packets = packetsTotal; }
      else if (has & 4) { octets = octetsPost; packets = packetsPost; }
    }
    if (has & 16) flags |= FF_REVERSE;
    if (startUpWidth | endUpWidth) {
      const init = sysInit > 0 ? sysInit : systemInitMs(ctxDomain);
      if (startUpWidth) startMs = uptimeToMs(startUp, startUpWidth, init);
      if (endUpWidth) endMs = uptimeToMs(endUp, endUpWidth, init);
    }
    if (startMs > 0 || endMs > 0) flags |= FF_TIMES;
    if (startMs <= 0) startMs = endMs > 0 ? endMs : ctxNowMs;
    if (endMs <= 0) endMs = startMs;
    if (rate < 1) rate = rateFor(ctxDomain, hasSampler, samplerId);
    emitFlow(flags, packets, octets, revPackets, revOctets, startMs, endMs, rate, srcPort, dstPort, proto, tcpFlags, revTcpFlags,
      templateId, ctxDomainId, ctxVersion);
    recordsInSet++;
  }
  return STATUS_OK;
}

function recordError(p: usize): i32 {
  failedAt = p;
  return ERR_BAD_RECORD;
}
