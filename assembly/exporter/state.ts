// Per-exporter state that outlives a datagram: observation domains (sequence numbers, system init time,
// default sampling rate) and samplers (rate per sampler id), keyed by exporter address and domain.
import { KeyedTable, KEYED_DATA } from "./keyed-table";
import { count } from "../memory";
import { STAT_DOMAINS_FULL, STAT_SEQUENCE_GAPS, STAT_MISSED_RECORDS } from "../abi";

// Domain slot fields after the key.
const D_FLAGS: usize = KEYED_DATA; // u32
const D_NEXT_SEQUENCE: usize = KEYED_DATA + 4; // u32: the sequence number the next message should carry.
const D_SYSINIT_MS: usize = KEYED_DATA + 8; // f64: systemInitTimeMilliseconds from options data (IPFIX).
const D_RATE: usize = KEYED_DATA + 16; // f64: sampling rate for records that name no sampler.
const DOMAIN_SLOT: usize = KEYED_DATA + 24;

const F_SEQUENCE: u32 = 1;
const F_SYSINIT: u32 = 2;
const F_RATE: u32 = 4;

const S_RATE: usize = KEYED_DATA; // f64
const SAMPLER_SLOT: usize = KEYED_DATA + 8;

let domains: KeyedTable | null = null;
let samplers: KeyedTable | null = null;

// initState allocates room for maxDomains (exporter, domain) pairs and as many samplers.
export function initState(maxDomains: u32): void {
  domains = new KeyedTable(maxDomains, DOMAIN_SLOT);
  samplers = new KeyedTable(maxDomains, SAMPLER_SLOT);
}

// domainSlot finds or creates the state of (exporterId, domain); when the table is full, the least
// recently used domain's state is dropped (counted) to make room. Never 0.
export function domainSlot(exporterId: u32, domain: u32, nowMs: f64): usize {
  const t = domains!;
  const before = t.evictions;
  const s = t.find(exporterId, domain, 0, true, nowMs);
  if (t.evictions != before) count(STAT_DOMAINS_FULL);
  return s;
}

// checkSequence counts a gap when a message's sequence number is ahead of the expected one; next is what
// the following message should carry (IPFIX and v5: + records in this message; v9: + 1).
// A sequence number behind the expected one is a reordering or an exporter restart: not a loss.
// known is false when the message held records that could not be counted (no template yet).
export function checkSequence(d: usize, sequence: u32, next: u32, known: bool): void {
  const flags = load<u32>(d, D_FLAGS);
  if (flags & F_SEQUENCE) {
    const gap = <i32>(sequence - load<u32>(d, D_NEXT_SEQUENCE));
    if (gap > 0) {
      count(STAT_SEQUENCE_GAPS);
      count(STAT_MISSED_RECORDS, <u64>gap);
    }
  }
  store<u32>(d, known ? flags | F_SEQUENCE : flags & ~F_SEQUENCE, D_FLAGS);
  store<u32>(d, next, D_NEXT_SEQUENCE);
}

// lastUsedOf is when the domain was last used: samplers are as recent as their domain.
@inline function lastUsedOf(d: usize): f64 {
  return load<f64>(d, 16);
}

// systemInitMs is the domain's systemInitTimeMilliseconds, or 0 if not announced.
export function systemInitMs(d: usize): f64 {
  return load<u32>(d, D_FLAGS) & F_SYSINIT ? load<f64>(d, D_SYSINIT_MS) : 0;
}

export function setSystemInitMs(d: usize, ms: f64): void {
  store<f64>(d, ms, D_SYSINIT_MS);
  store<u32>(d, load<u32>(d, D_FLAGS) | F_SYSINIT, D_FLAGS);
}

// setRate records a sampling rate announced in options data: for one sampler, or the domain's default.
export function setRate(d: usize, hasSampler: bool, samplerId: u64, rate: f64): void {
  if (!(rate >= 1)) return;
  if (!hasSampler) {
    store<f64>(d, rate, D_RATE);
    store<u32>(d, load<u32>(d, D_FLAGS) | F_RATE, D_FLAGS);
    return;
  }
  const s = samplers!.find(load<u32>(d), load<u32>(d, 4), samplerId, true, lastUsedOf(d));
  store<f64>(s, rate, S_RATE);
}

// rateFor gives the sampling rate of a record: its sampler's, else the domain's default, else 1.
export function rateFor(d: usize, hasSampler: bool, samplerId: u64): f64 {
  if (hasSampler) {
    const s = samplers!.find(load<u32>(d), load<u32>(d, 4), samplerId, false, lastUsedOf(d));
    if (s != 0) return load<f64>(s, S_RATE);
  }
  return load<u32>(d, D_FLAGS) & F_RATE ? load<f64>(d, D_RATE) : 1;
}
