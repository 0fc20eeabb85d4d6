/** IPFIX information element names (the IANA registry, RFC 7012 and its additions; elements 1-325 as
 * collectors meet them), and NetFlow v9 options scope types, for `hostflow decode`'s template lines. */

const IANA: Record<number, string> = {
  1: 'octetDeltaCount', 2: 'packetDeltaCount', 3: 'deltaFlowCount', 4: 'protocolIdentifier', 5: 'ipClassOfService',
  6: 'tcpControlBits', 7: 'sourceTransportPort', 8: 'sourceIPv4Address', 9: 'sourceIPv4PrefixLength',
  10: 'ingressInterface', 11: 'destinationTransportPort', 12: 'destinationIPv4Address',
  13: 'destinationIPv4PrefixLength', 14: 'egressInterface', 15: 'ipNextHopIPv4Address', 16: 'bgpSourceAsNumber',
  17: 'bgpDestinationAsNumber', 18: 'bgpNextHopIPv4Address', 19: 'postMCastPacketDeltaCount',
  20: 'postMCastOctetDeltaCount', 21: 'flowEndSysUpTime', 22: 'flowStartSysUpTime', 23: 'postOctetDeltaCount',
  24: 'postPacketDeltaCount', 25: 'minimumIpTotalLength', 26: 'maximumIpTotalLength', 27: 'sourceIPv6Address',
  28: 'destinationIPv6Address', 29: 'sourceIPv6PrefixLength', 30: 'destinationIPv6PrefixLength',
  31: 'flowLabelIPv6', 32: 'icmpTypeCodeIPv4', 33: 'igmpType', 34: 'samplingInterval', 35: 'samplingAlgorithm',
  36: 'flowActiveTimeout', 37: 'flowIdleTimeout', 38: 'engineType', 39: 'engineId', 40: 'exportedOctetTotalCount',
  41: 'exportedMessageTotalCount', 42: 'exportedFlowRecordTotalCount', 43: 'ipv4RouterSc', 44: 'sourceIPv4Prefix',
  45: 'destinationIPv4Prefix', 46: 'mplsTopLabelType', 47: 'mplsTopLabelIPv4Address', 48: 'samplerId',
  49: 'samplerMode', 50: 'samplerRandomInterval', 51: 'classId', 52: 'minimumTTL', 53: 'maximumTTL',
  54: 'fragmentIdentification', 55: 'postIpClassOfService', 56: 'sourceMacAddress', 57: 'postDestinationMacAddress',
  58: 'vlanId', 59: 'postVlanId', 60: 'ipVersion', 61: 'flowDirection', 62: 'ipNextHopIPv6Address',
  63: 'bgpNextHopIPv6Address', 64: 'ipv6ExtensionHeaders', 70: 'mplsTopLabelStackSection',
  71: 'mplsLabelStackSection2', 72: 'mplsLabelStackSection3', 73: 'mplsLabelStackSection4',
  74: 'mplsLabelStackSection5', 75: 'mplsLabelStackSection6', 76: 'mplsLabelStackSection7',
  77: 'mplsLabelStackSection8', 78: 'mplsLabelStackSection9', 79: 'mplsLabelStackSection10',
  80: 'destinationMacAddress', 81: 'postSourceMacAddress', 82: 'interfaceName', 83: 'interfaceDescription',
  84: 'samplerName', 85: 'octetTotalCount', 86: 'packetTotalCount', 87: 'flagsAndSamplerId', 88: 'fragmentOffset',
  89: 'forwardingStatus', 90: 'mplsVpnRouteDistinguisher', 91: 'mplsTopLabelPrefixLength', 92: 'srcTrafficIndex',
  93: 'dstTrafficIndex', 94: 'applicationDescription', 95: 'applicationId', 96: 'applicationName',
  98: 'postIpDiffServCodePoint', 99: 'multicastReplicationFactor', 100: 'className', 101: 'classificationEngineId',
  102: 'layer2packetSectionOffset', 103: 'layer2packetSectionSize', 104: 'layer2packetSectionData',
  128: 'bgpNextAdjacentAsNumber', 129: 'bgpPrevAdjacentAsNumber', 130: 'exporterIPv4Address',
  131: 'exporterIPv6Address', 132: 'droppedOctetDeltaCount', 133: 'droppedPacketDeltaCount',
  134: 'droppedOctetTotalCount', 135: 'droppedPacketTotalCount', 136: 'flowEndReason', 137: 'commonPropertiesId',
  138: 'observationPointId', 139: 'icmpTypeCodeIPv6', 140: 'mplsTopLabelIPv6Address', 141: 'lineCardId',
  142: 'portId', 143: 'meteringProcessId', 144: 'exportingProcessId', 145: 'templateId', 146: 'wlanChannelId',
  147: 'wlanSSID', 148: 'flowId', 149: 'observationDomainId', 150: 'flowStartSeconds', 151: 'flowEndSeconds',
  152: 'flowStartMilliseconds', 153: 'flowEndMilliseconds', 154: 'flowStartMicroseconds',
  155: 'flowEndMicroseconds', 156: 'flowStartNanoseconds', 157: 'flowEndNanoseconds',
  158: 'flowStartDeltaMicroseconds', 159: 'flowEndDeltaMicroseconds', 160: 'systemInitTimeMilliseconds',
  161: 'flowDurationMilliseconds', 162: 'flowDurationMicroseconds', 163: 'observedFlowTotalCount',
  164: 'ignoredPacketTotalCount', 165: 'ignoredOctetTotalCount', 166: 'notSentFlowTotalCount',
  167: 'notSentPacketTotalCount', 168: 'notSentOctetTotalCount', 169: 'destinationIPv6Prefix',
  170: 'sourceIPv6Prefix', 171: 'postOctetTotalCount', 172: 'postPacketTotalCount', 173: 'flowKeyIndicator',
  174: 'postMCastPacketTotalCount', 175: 'postMCastOctetTotalCount', 176: 'icmpTypeIPv4', 177: 'icmpCodeIPv4',
  178: 'icmpTypeIPv6', 179: 'icmpCodeIPv6', 180: 'udpSourcePort', 181: 'udpDestinationPort', 182: 'tcpSourcePort',
  183: 'tcpDestinationPort', 184: 'tcpSequenceNumber', 185: 'tcpAcknowledgementNumber', 186: 'tcpWindowSize',
  187: 'tcpUrgentPointer', 188: 'tcpHeaderLength', 189: 'ipHeaderLength', 190: 'totalLengthIPv4',
  191: 'payloadLengthIPv6', 192: 'ipTTL', 193: 'nextHeaderIPv6', 194: 'mplsPayloadLength',
  195: 'ipDiffServCodePoint', 196: 'ipPrecedence', 197: 'fragmentFlags', 198: 'octetDeltaSumOfSquares',
  199: 'octetTotalSumOfSquares', 200: 'mplsTopLabelTTL', 201: 'mplsLabelStackLength', 202: 'mplsLabelStackDepth',
  203: 'mplsTopLabelExp', 204: 'ipPayloadLength', 205: 'udpMessageLength', 206: 'isMulticast', 207: 'ipv4IHL',
  208: 'ipv4Options', 209: 'tcpOptions', 210: 'paddingOctets', 211: 'collectorIPv4Address',
  212: 'collectorIPv6Address', 213: 'exportInterface', 214: 'exportProtocolVersion', 215: 'exportTransportProtocol',
  216: 'collectorTransportPort', 217: 'exporterTransportPort', 218: 'tcpSynTotalCount', 219: 'tcpFinTotalCount',
  220: 'tcpRstTotalCount', 221: 'tcpPshTotalCount', 222: 'tcpAckTotalCount', 223: 'tcpUrgTotalCount',
  224: 'ipTotalLength', 225: 'postNATSourceIPv4Address', 226: 'postNATDestinationIPv4Address',
  227: 'postNAPTSourceTransportPort', 228: 'postNAPTDestinationTransportPort', 229: 'natOriginatingAddressRealm',
  230: 'natEvent', 231: 'initiatorOctets', 232: 'responderOctets', 233: 'firewallEvent', 234: 'ingressVRFID',
  235: 'egressVRFID', 236: 'VRFname', 237: 'postMplsTopLabelExp', 238: 'tcpWindowScale', 239: 'biflowDirection',
  240: 'ethernetHeaderLength', 241: 'ethernetPayloadLength', 242: 'ethernetTotalLength', 243: 'dot1qVlanId',
  244: 'dot1qPriority', 245: 'dot1qCustomerVlanId', 246: 'dot1qCustomerPriority', 252: 'ingressPhysicalInterface',
  253: 'egressPhysicalInterface', 254: 'postDot1qVlanId', 255: 'postDot1qCustomerVlanId', 256: 'ethernetType',
  257: 'postIpPrecedence', 258: 'collectionTimeMilliseconds', 281: 'postNATSourceIPv6Address',
  282: 'postNATDestinationIPv6Address', 283: 'natPoolId', 284: 'natPoolName', 291: 'basicList',
  292: 'subTemplateList', 293: 'subTemplateMultiList', 298: 'initiatorPackets', 299: 'responderPackets',
  300: 'observationDomainName', 301: 'selectionSequenceId', 302: 'selectorId', 303: 'informationElementId',
  304: 'selectorAlgorithm', 305: 'samplingPacketInterval', 306: 'samplingPacketSpace', 307: 'samplingTimeInterval',
  308: 'samplingTimeSpace', 309: 'samplingSize', 310: 'samplingPopulation', 311: 'samplingProbability',
  312: 'dataLinkFrameSize', 313: 'ipHeaderPacketSection', 314: 'ipPayloadPacketSection',
  315: 'dataLinkFrameSection', 316: 'mplsLabelStackSection', 317: 'mplsPayloadPacketSection',
  318: 'selectorIdTotalPktsObserved', 319: 'selectorIdTotalPktsSelected', 322: 'observationTimeSeconds',
  323: 'observationTimeMilliseconds', 324: 'observationTimeMicroseconds', 325: 'observationTimeNanoseconds',
};

const V9_SCOPES: Record<number, string> = { 1: 'scopeSystem', 2: 'scopeInterface', 3: 'scopeLineCard', 4: 'scopeCache', 5: 'scopeTemplate' };

/** PEN_REVERSE is RFC 5103's enterprise number for reverse-direction elements. */
const PEN_REVERSE = 29305;

/** elementName names a field: its IANA name, "reverse" + name under PEN 29305, "PEN:id" for other
 * enterprises, "ie<id>" for an IANA element not in the table. */
export function elementName(id: number, pen: number, v9Scope = false): string {
  if (v9Scope) return V9_SCOPES[id] ?? `scope${id}`;
  if (pen === PEN_REVERSE && IANA[id]) return `reverse${IANA[id][0].toUpperCase()}${IANA[id].slice(1)}`;
  if (pen !== 0) return `${pen}:${id}`;
  return IANA[id] ?? `ie${id}`;
}
