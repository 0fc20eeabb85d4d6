// Information elements the core reads (IANA names, RFC 7012; NetFlow v9 types share the numbers below 128),
// and the kinds a template compiles them to.

export const IE_octetDeltaCount: u32 = 1;
export const IE_packetDeltaCount: u32 = 2;
export const IE_protocolIdentifier: u32 = 4;
export const IE_tcpControlBits: u32 = 6;
export const IE_sourceTransportPort: u32 = 7;
export const IE_sourceIPv4Address: u32 = 8;
export const IE_destinationTransportPort: u32 = 11;
export const IE_destinationIPv4Address: u32 = 12;
export const IE_flowEndSysUpTime: u32 = 21;
export const IE_flowStartSysUpTime: u32 = 22;
export const IE_postOctetDeltaCount: u32 = 23;
export const IE_postPacketDeltaCount: u32 = 24;
export const IE_sourceIPv6Address: u32 = 27;
export const IE_destinationIPv6Address: u32 = 28;
export const IE_samplingInterval: u32 = 34;
export const IE_samplerId: u32 = 48;
export const IE_samplerRandomInterval: u32 = 50;
export const IE_octetTotalCount: u32 = 85;
export const IE_packetTotalCount: u32 = 86;
export const IE_flowStartSeconds: u32 = 150;
export const IE_flowEndSeconds: u32 = 151;
export const IE_flowStartMilliseconds: u32 = 152;
export const IE_flowEndMilliseconds: u32 = 153;
export const IE_flowStartMicroseconds: u32 = 154;
export const IE_flowEndMicroseconds: u32 = 155;
export const IE_flowStartNanoseconds: u32 = 156;
export const IE_flowEndNanoseconds: u32 = 157;
export const IE_flowStartDeltaMicroseconds: u32 = 158;
export const IE_flowEndDeltaMicroseconds: u32 = 159;
export const IE_systemInitTimeMilliseconds: u32 = 160;
export const IE_initiatorOctets: u32 = 231;
export const IE_responderOctets: u32 = 232;
export const IE_initiatorPackets: u32 = 298;
export const IE_responderPackets: u32 = 299;
export const IE_selectorId: u32 = 302;
export const IE_samplingPacketInterval: u32 = 305;
export const IE_samplingPacketSpace: u32 = 306;
export const IE_samplingSize: u32 = 309;
export const IE_samplingPopulation: u32 = 310;

// PEN_REVERSE is the RFC 5103 Private Enterprise Number: reverse-direction counterparts of IANA elements.
export const PEN_REVERSE: u32 = 29305;

// Field kinds: what the record decoder does with a field. SKIP advances by the field's length.
export const KIND_SKIP: u32 = 0;
export const KIND_SRC4: u32 = 1;
export const KIND_DST4: u32 = 2;
export const KIND_SRC6: u32 = 3;
export const KIND_DST6: u32 = 4;
export const KIND_SRC_PORT: u32 = 5;
export const KIND_DST_PORT: u32 = 6;
export const KIND_PROTO: u32 = 7;
export const KIND_TCP_FLAGS: u32 = 8;
export const KIND_OCTETS: u32 = 9; // Delta counts.
export const KIND_PACKETS: u32 = 10;
export const KIND_OCTETS_TOTAL: u32 = 11; // Total counts: used when no delta count is present.
export const KIND_PACKETS_TOTAL: u32 = 12;
export const KIND_OCTETS_POST: u32 = 13; // Post (v9 OUT_BYTES/OUT_PKTS): used when nothing else is.
export const KIND_PACKETS_POST: u32 = 14;
export const KIND_REV_OCTETS: u32 = 15; // RFC 5103 reverse counts: the destination's direction.
export const KIND_REV_PACKETS: u32 = 16;
export const KIND_START_S: u32 = 21;
export const KIND_END_S: u32 = 22;
export const KIND_START_MS: u32 = 23;
export const KIND_END_MS: u32 = 24;
export const KIND_START_NTP: u32 = 25; // dateTimeMicroseconds/Nanoseconds: NTP format (RFC 7011 6.1.9, 6.1.10).
export const KIND_END_NTP: u32 = 26;
export const KIND_START_DELTA_US: u32 = 27; // Microseconds before the message's export time.
export const KIND_END_DELTA_US: u32 = 28;
export const KIND_START_UPTIME: u32 = 29; // Milliseconds of exporter uptime.
export const KIND_END_UPTIME: u32 = 30;
export const KIND_SYSINIT_MS: u32 = 31;
export const KIND_SAMPLING_INTERVAL: u32 = 32; // 1-in-N (IE 34, 50).
export const KIND_SAMPLING_PKT_INTERVAL: u32 = 33; // Systematic count-based: N sampled ...
export const KIND_SAMPLING_PKT_SPACE: u32 = 34; // ... then M skipped: rate (N + M) / N.
export const KIND_SAMPLING_SIZE: u32 = 35; // Random n-out-of-N: rate N / n.
export const KIND_SAMPLING_POPULATION: u32 = 36;
export const KIND_SAMPLER_ID: u32 = 37;
export const KIND_REV_OCTETS_TOTAL: u32 = 38;
export const KIND_REV_PACKETS_TOTAL: u32 = 39;
export const KIND_REV_TCP_FLAGS: u32 = 40;

// isAddressKind: for these a later occurrence may still win over an all-zero earlier one, at decode time.
@inline export function isAddressKind(kind: u32): bool {
  return kind >= KIND_SRC4 && kind <= KIND_DST6;
}

// VARLEN marks a variable-length field (length 65535 in the template, RFC 7011 7; also in v9, quirk 8).
export const VARLEN: u32 = 0xffff;

// fieldKind compiles an element (pen 0 = IANA) of a given length into a kind. An element whose length
// does not fit its type (an IPv4 address of 3 bytes, a counter of 9) is skipped, not misread.
export function fieldKind(pen: u32, ie: u32, len: u32): u32 {
  const uint = len >= 1 && len <= 8;
  if (pen == PEN_REVERSE) {
    if (!uint) return KIND_SKIP;
    switch (ie) {
      case IE_octetDeltaCount: return KIND_REV_OCTETS;
      case IE_packetDeltaCount: return KIND_REV_PACKETS;
      case IE_octetTotalCount: return KIND_REV_OCTETS_TOTAL;
      case IE_packetTotalCount: return KIND_REV_PACKETS_TOTAL;
      case IE_tcpControlBits: return KIND_REV_TCP_FLAGS;
    }
    return KIND_SKIP;
  }
  if (pen != 0) return KIND_SKIP;
  switch (ie) {
    case IE_sourceIPv4Address: return len == 4 ? KIND_SRC4 : KIND_SKIP;
    case IE_destinationIPv4Address: return len == 4 ? KIND_DST4 : KIND_SKIP;
    case IE_sourceIPv6Address: return len == 16 ? KIND_SRC6 : KIND_SKIP;
    case IE_destinationIPv6Address: return len == 16 ? KIND_DST6 : KIND_SKIP;
  }
  if (!uint) return KIND_SKIP;
  switch (ie) {
    case IE_sourceTransportPort: return KIND_SRC_PORT;
    case IE_destinationTransportPort: return KIND_DST_PORT;
    case IE_protocolIdentifier: return KIND_PROTO;
    case IE_tcpControlBits: return KIND_TCP_FLAGS;
    case IE_octetDeltaCount: return KIND_OCTETS;
    case IE_packetDeltaCount: return KIND_PACKETS;
    case IE_octetTotalCount: return KIND_OCTETS_TOTAL;
    case IE_packetTotalCount: return KIND_PACKETS_TOTAL;
    case IE_postOctetDeltaCount: return KIND_OCTETS_POST;
    case IE_postPacketDeltaCount: return KIND_PACKETS_POST;
    // Initiator counts are the forward direction's totals, responder counts the reverse direction's.
    case IE_initiatorOctets: return KIND_OCTETS_TOTAL;
    case IE_responderOctets: return KIND_REV_OCTETS;
    case IE_initiatorPackets: return KIND_PACKETS_TOTAL;
    case IE_responderPackets: return KIND_REV_PACKETS;
    case IE_flowStartSeconds: return KIND_START_S;
    case IE_flowEndSeconds: return KIND_END_S;
    case IE_flowStartMilliseconds: return KIND_START_MS;
    case IE_flowEndMilliseconds: return KIND_END_MS;
    case IE_flowStartMicroseconds: case IE_flowStartNanoseconds: return len == 8 ? KIND_START_NTP : KIND_SKIP;
    case IE_flowEndMicroseconds: case IE_flowEndNanoseconds: return len == 8 ? KIND_END_NTP : KIND_SKIP;
    case IE_flowStartDeltaMicroseconds: return KIND_START_DELTA_US;
    case IE_flowEndDeltaMicroseconds: return KIND_END_DELTA_US;
    case IE_flowStartSysUpTime: return KIND_START_UPTIME;
    case IE_flowEndSysUpTime: return KIND_END_UPTIME;
    case IE_systemInitTimeMilliseconds: return KIND_SYSINIT_MS;
    case IE_samplingInterval: case IE_samplerRandomInterval: return KIND_SAMPLING_INTERVAL;
    case IE_samplingPacketInterval: return KIND_SAMPLING_PKT_INTERVAL;
    case IE_samplingPacketSpace: return KIND_SAMPLING_PKT_SPACE;
    case IE_samplingSize: return KIND_SAMPLING_SIZE;
    case IE_samplingPopulation: return KIND_SAMPLING_POPULATION;
    case IE_samplerId: case IE_selectorId: return KIND_SAMPLER_ID;
  }
  return KIND_SKIP;
}
