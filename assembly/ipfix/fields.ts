// IPFIX information elements the core reads (IANA names, RFC 7012), and the kinds a template compiles them to.

export const IE_octetDeltaCount: u32 = 1;
export const IE_packetDeltaCount: u32 = 2;
export const IE_protocolIdentifier: u32 = 4;
export const IE_tcpControlBits: u32 = 6;
export const IE_sourceTransportPort: u32 = 7;
export const IE_sourceIPv4Address: u32 = 8;
export const IE_destinationTransportPort: u32 = 11;
export const IE_destinationIPv4Address: u32 = 12;
export const IE_sourceIPv6Address: u32 = 27;
export const IE_destinationIPv6Address: u32 = 28;
export const IE_flowStartSeconds: u32 = 150;
export const IE_flowEndSeconds: u32 = 151;
export const IE_flowStartMilliseconds: u32 = 152;
export const IE_flowEndMilliseconds: u32 = 153;

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
export const KIND_OCTETS: u32 = 9;
export const KIND_PACKETS: u32 = 10;
export const KIND_START_MS: u32 = 11;
export const KIND_END_MS: u32 = 12;
export const KIND_START_S: u32 = 13;
export const KIND_END_S: u32 = 14;

// VARLEN marks a variable-length field (length 65535 in the template, RFC 7011 7).
export const VARLEN: u32 = 0xffff;

// fieldKind compiles an IANA element (enterprise 0) of a given length into a kind. An element whose
// length does not fit its type (an IPv4 address of 3 bytes, a counter of 9) is skipped, not misread.
export function fieldKind(ie: u32, len: u32): u32 {
  const counter = len >= 1 && len <= 8;
  switch (ie) {
    case IE_sourceIPv4Address: return len == 4 ? KIND_SRC4 : KIND_SKIP;
    case IE_destinationIPv4Address: return len == 4 ? KIND_DST4 : KIND_SKIP;
    case IE_sourceIPv6Address: return len == 16 ? KIND_SRC6 : KIND_SKIP;
    case IE_destinationIPv6Address: return len == 16 ? KIND_DST6 : KIND_SKIP;
    case IE_sourceTransportPort: return counter ? KIND_SRC_PORT : KIND_SKIP;
    case IE_destinationTransportPort: return counter ? KIND_DST_PORT : KIND_SKIP;
    case IE_protocolIdentifier: return counter ? KIND_PROTO : KIND_SKIP;
    case IE_tcpControlBits: return counter ? KIND_TCP_FLAGS : KIND_SKIP;
    case IE_octetDeltaCount: return counter ? KIND_OCTETS : KIND_SKIP;
    case IE_packetDeltaCount: return counter ? KIND_PACKETS : KIND_SKIP;
    case IE_flowStartMilliseconds: return counter ? KIND_START_MS : KIND_SKIP;
    case IE_flowEndMilliseconds: return counter ? KIND_END_MS : KIND_SKIP;
    case IE_flowStartSeconds: return counter ? KIND_START_S : KIND_SKIP;
    case IE_flowEndSeconds: return counter ? KIND_END_S : KIND_SKIP;
  }
  return KIND_SKIP;
}
