/** TS mirror of assembly/abi.ts; test/wasm/abi.test.ts checks it against the module's exported globals. */

/** Status codes returned by the core's ingest(). */
export const STATUS_OK = 0;
export const ERR_TRUNCATED = 1;
export const ERR_BAD_VERSION = 2;
export const ERR_BAD_SET_LENGTH = 3;
export const ERR_BAD_TEMPLATE = 4;
export const ERR_BAD_RECORD = 5;
export const ERR_TOO_LARGE = 6;
export const ERR_NOT_INITIALISED = 7;
export const STATUS_TEMPLATE_PENDING = 8;
export const ERR_BAD_COUNT = 9;
/** ERR_CORE_FAULT is the façade's own: the core trapped (a bug); the datagram is dropped and counted. */
export const ERR_CORE_FAULT = 100;

/** DecodeErrorCode names each non-OK status, as logged and counted by reason. */
export const DECODE_ERROR_CODES: Record<number, string> = {
  [ERR_TRUNCATED]: 'IPFIX_ERR_TRUNCATED',
  [ERR_BAD_VERSION]: 'IPFIX_ERR_BAD_VERSION',
  [ERR_BAD_SET_LENGTH]: 'IPFIX_ERR_BAD_SET_LENGTH',
  [ERR_BAD_TEMPLATE]: 'IPFIX_ERR_BAD_TEMPLATE',
  [ERR_BAD_RECORD]: 'IPFIX_ERR_BAD_RECORD',
  [ERR_TOO_LARGE]: 'IPFIX_ERR_TOO_LARGE',
  [ERR_NOT_INITIALISED]: 'IPFIX_ERR_NOT_INITIALISED',
  [STATUS_TEMPLATE_PENDING]: 'IPFIX_TEMPLATE_PENDING',
  [ERR_BAD_COUNT]: 'NETFLOW5_ERR_BAD_COUNT',
  [ERR_CORE_FAULT]: 'CORE_ERR_FAULT',
};

/** Stats slots (u64 each) in the stats region. */
export const STAT = {
  datagrams: 0,
  datagramsRejected: 1,
  records: 2,
  templatesAdded: 3,
  templatesUpdated: 4,
  setsNoTemplate: 5,
  errTruncated: 6,
  errBadVersion: 7,
  errBadSetLength: 8,
  errBadTemplate: 9,
  errBadRecord: 10,
  errTooLarge: 11,
  templatesFull: 12,
  hosts: 13,
  overflowRecords: 14,
  recordsNoAddress: 15,
  optionsRecords: 16,
  setsReserved: 17,
  lastErrorOffset: 18,
  lastDomain: 19,
  lastTemplate: 20,
  templatesWithdrawn: 21,
  templatesExpired: 22,
  setsHeld: 23,
  setsHeldDecoded: 24,
  setsHeldDropped: 25,
  sequenceGaps: 26,
  packetsV5: 27,
  packetsV9: 28,
  packetsIpfix: 29,
  sampledRecords: 30,
  samplingRate: 31,
  domainsFull: 32,
  errBadCount: 33,
  missedRecords: 34,
  unmonitoredRecords: 35,
  sketchValuesDropped: 36,
  sketchBytes: 37,
} as const;
export const STAT_COUNT = 38;

/** Input region size: the largest datagram the core takes. */
export const INPUT_CAPACITY = 65536;

/** Batch regions (see assembly/abi.ts): datagrams per batch and the bytes describing each. */
export const BATCH_CAPACITY = 64;
export const BATCH_META_SIZE = 32;

/** Host entry layout, read in place after closeWindow() (see assembly/abi.ts). */
export const DELTA_RECORD_SIZE = 320;
export const DELTA_OFF_FLAGS = 16;
export const DELTA_OFF_FIRST_SEEN = 24;
export const DELTA_OFF_LAST_SEEN = 32;
export const DELTA_OFF_FLOWS_OUT = 40;
export const DELTA_OFF_FLOWS_IN = 48;
export const DELTA_OFF_PACKETS_OUT = 64;
export const DELTA_OFF_BYTES_OUT = 72;
export const DELTA_OFF_TCP_OUT = 80;
export const DELTA_OFF_PROTO_OUT = 112;
export const DELTA_OFF_PACKETS_IN = 128;
export const DELTA_OFF_BYTES_IN = 136;
export const DELTA_OFF_TCP_IN = 144;
export const DELTA_OFF_PROTO_IN = 176;
export const DELTA_OFF_PEERS_OUT = 192;
export const DELTA_OFF_PORTS_OUT = 224;
export const DELTA_OFF_PEERS_IN = 256;
export const DELTA_OFF_PORTS_IN = 288;
export const DELTA_FLAG_OVERFLOW = 1;

/** Distinct-count sketch heads (see assembly/table/sketch.ts): form codes and sizes. */
export const SKETCH_HEAD_SIZE = 32;
export const SKETCH_INLINE_VALUES = 7;
export const SKETCH_EMPTY = 0;
export const SKETCH_INLINE = 1;
export const SKETCH_EXACT = 2;
export const SKETCH_HLL = 3;
export const SKETCH_SPARSE = 4;
export { SKETCH_EXACT_LIMIT, SKETCH_HLL_BITS } from '../protocol/messages.js';

/** Record output (decode mode): FLOW_OUT_SIZE bytes per decoded flow, see assembly/flow.ts. */
export const FLOW_OUT_SIZE = 112;
export const FLOW_OUT_CAPACITY = 4096;

/** Event output (decode mode): template events and options records, see assembly/events.ts. */
export const EVENT_SIZE = 40;
export const EVENT_CAPACITY = 1024;
