// One decoded flow record on its way to the host table (and, in decode mode, to the record output).
import { updateHost, PROTO_NONE } from "./table/host-table";
import { monitored } from "./table/networks";
import { allocRegion, count, setStat } from "./memory";
import { STAT_SAMPLED_RECORDS, STAT_SAMPLING_RATE, STAT_UNMONITORED_RECORDS } from "./abi";
import { hashKey128 } from "./table/hash";
import { sketchValue, portValue } from "./table/sketch";

// Record output layout (decode mode), FLOW_OUT_SIZE bytes per record:
// ┌────────┬────────┬──────────┬──────────┬──────────┬──────────┬────────┬────────┬────────┬───────┬───────┬──────┬──────┬───────┬───────┬───────┬────────┬─────┐
// │0 src   │16 dst  │32 packets│40 octets │48 rev pk │56 rev oc │64 start│72 end  │80 rate │88 sprt│90 dprt│92 pro│93 -  │94 tcp │96 flg │98 tid │100 dom │104 v│
// │16 bytes│16 bytes│   u64    │   u64    │   u64    │   u64    │ f64 ms │ f64 ms │  f64   │  u16  │  u16  │  u8  │      │  u16  │  u16  │  u16  │  u32   │ u16 │
// └────────┴────────┴──────────┴──────────┴──────────┴──────────┴────────┴────────┴────────┴───────┴───────┴──────┴──────┴───────┴───────┴───────┴────────┴─────┘
export const FLOW_OUT_SIZE: usize = 112;
export const FLOW_OUT_CAPACITY: u32 = 4096;
export const FF_SRC: u32 = 1;
export const FF_DST: u32 = 2;
export const FF_REVERSE: u32 = 4; // Reverse (biflow) or responder counts present.
export const FF_TIMES: u32 = 8; // Start/end came from the record (else: arrival time).
export const FF_PORTS: u32 = 16;
export const FF_PROTO: u32 = 32;
export const FF_TCP_FLAGS: u32 = 64;
export const FF_HELD: u32 = 128; // Decoded from a data set held until its template came.

let outPtr: usize = 0;
let outCount: u32 = 0;
let outDropped: u32 = 0;
let outEnabled = false;
let fromHeld = false;

// setFromHeld marks the flows emitted next as decoded from a held data set (or not).
export function setFromHeld(on: bool): void { fromHeld = on; }

// initFlowOutput allocates the record output region (used only in decode mode).
export function initFlowOutput(): void {
  outPtr = allocRegion(<usize>FLOW_OUT_CAPACITY * FLOW_OUT_SIZE);
}

export function setDecodeMode(on: bool): void { outEnabled = on; }
export function flowOutPtr(): usize { return outPtr; }
export function flowOutCount(): u32 { return outCount; }
export function flowOutDropped(): u32 { return outDropped; }
export function resetFlowOut(): void { outCount = 0; outDropped = 0; }

// The record being decoded; decoders fill these, then call emitFlow().
export let srcLo: u64 = 0;
export let srcHi: u64 = 0;
export let dstLo: u64 = 0;
export let dstHi: u64 = 0;

// setSource and setDestination take an address as two little-endian u64 halves of its 16-byte key.
export function setSource(lo: u64, hi: u64): void { srcLo = lo; srcHi = hi; }
export function setDestination(lo: u64, hi: u64): void { dstLo = lo; dstHi = hi; }

// emitFlow accounts one flow record (the caller counts STAT_RECORDS, once per set): the source sends packets/octets to the destination and, for a
// biflow, the destination sends the reverse counts back. Counts are scaled by the sampling rate.
@inline export function emitFlow(
  flags: u32, packets: u64, octets: u64, revPackets: u64, revOctets: u64, startMs: f64, endMs: f64, rate: f64,
  srcPort: u32, dstPort: u32, proto: u32, tcpFlags: u32, revTcpFlags: u32, templateId: u32, domain: u32, version: u32,
): void {
  if (outEnabled) {
    if (outCount >= FLOW_OUT_CAPACITY) {
      outDropped++;
    } else {
      const o = outPtr + <usize>outCount * FLOW_OUT_SIZE;
      outCount++;
      store<u64>(o, srcLo); store<u64>(o, srcHi, 8);
      store<u64>(o, dstLo, 16); store<u64>(o, dstHi, 24);
      store<u64>(o, packets, 32); store<u64>(o, octets, 40);
      store<u64>(o, revPackets, 48); store<u64>(o, revOctets, 56);
      store<f64>(o, startMs, 64); store<f64>(o, endMs, 72); store<f64>(o, rate, 80);
      store<u16>(o, <u16>srcPort, 88); store<u16>(o, <u16>dstPort, 90);
      store<u8>(o, <u8>proto, 92); store<u16>(o, <u16>tcpFlags, 94); store<u16>(o, <u16>(fromHeld ? flags | FF_HELD : flags), 96);
      store<u16>(o, <u16>templateId, 98); store<u32>(o, domain, 100); store<u16>(o, <u16>version, 104);
    }
  }
  if (rate != 1) {
    packets = scale(packets, rate);
    octets = scale(octets, rate);
    revPackets = scale(revPackets, rate);
    revOctets = scale(revOctets, rate);
    count(STAT_SAMPLED_RECORDS);
    setStat(STAT_SAMPLING_RATE, <u64>Math.round(rate)); // The last rate applied; unsampled records leave it.
  }
  // Only addresses inside the monitored networks are hosts; a flow between two of them updates both.
  const hasSrc = (flags & FF_SRC) != 0 && monitored(srcLo, srcHi);
  const hasDst = (flags & FF_DST) != 0 && monitored(dstLo, dstHi);
  if (!hasSrc && !hasDst) {
    count(STAT_UNMONITORED_RECORDS);
    return;
  }
  // Without a protocol field, TCP flags still make it a TCP flow; without either, no protocol column.
  const p = flags & FF_PROTO ? proto : flags & FF_TCP_FLAGS ? 6 : PROTO_NONE;
  // One hash per address gives its table slot (low bits) and its sketch value as a peer (high bits).
  const hs = flags & FF_SRC ? hashKey128(srcLo, srcHi) : 0;
  const hd = flags & FF_DST ? hashKey128(dstLo, dstHi) : 0;
  const peerS = flags & FF_SRC ? sketchValue(hs) : 0;
  const peerD = flags & FF_DST ? sketchValue(hd) : 0;
  // Ports count for the protocols that have them (TCP, UDP, SCTP); ICMP "ports" are type and code.
  const hasPorts = (flags & FF_PORTS) != 0 && (p == 6 || p == 17 || p == 132);
  const portD = hasPorts ? portValue(dstPort) : 0;
  if (hasSrc) updateHost(false, srcLo, srcHi, hs, packets, octets, startMs, endMs, p, tcpFlags, peerD, portD);
  if (hasDst) updateHost(true, dstLo, dstHi, hd, packets, octets, startMs, endMs, p, tcpFlags, peerS, portD);
  // The reverse direction is a flow of its own when it carried packets (RFC 5103: a biflow is two uniflows).
  if (revPackets != 0 || revOctets != 0) {
    const portS = hasPorts ? portValue(srcPort) : 0; // Only the reverse flow goes to the source port.
    if (hasDst) updateHost(false, dstLo, dstHi, hd, revPackets, revOctets, startMs, endMs, p, revTcpFlags, peerS, portS);
    if (hasSrc) updateHost(true, srcLo, srcHi, hs, revPackets, revOctets, startMs, endMs, p, revTcpFlags, peerD, portS);
  }
}

@inline function scale(v: u64, rate: f64): u64 {
  return <u64>Math.round(<f64>v * rate);
}
