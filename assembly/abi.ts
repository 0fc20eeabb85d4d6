// ABI of the WASM core: status codes, stats slots, layout constants. Mirrored by src/wasm/abi.ts.

// Status codes returned by ingest(). 0 is OK; every other value names why a datagram was rejected
// (in whole or from some offset on). Records decoded before the failure stay counted.
export const STATUS_OK: i32 = 0;
export const ERR_TRUNCATED: i32 = 1; // Shorter than a message header, or than the header's length.
export const ERR_BAD_VERSION: i32 = 2; // Not an export protocol version the core decodes (5, 9, 10).
export const ERR_BAD_SET_LENGTH: i32 = 3; // A set shorter than its header or running past the message.
export const ERR_BAD_TEMPLATE: i32 = 4; // A template record that is malformed or over the caps.
export const ERR_BAD_RECORD: i32 = 5; // A data record running past its set (variable-length field).
export const ERR_TOO_LARGE: i32 = 6; // Datagram larger than the input region.
export const ERR_NOT_INITIALISED: i32 = 7; // ingest() before init().
export const STATUS_TEMPLATE_PENDING: i32 = 8; // Decoded, but some data sets had no known template.
export const ERR_BAD_COUNT: i32 = 9; // NetFlow v5: the header's record count does not fit the datagram.

// Stats slots: u64 counters. The stats region holds one block for all exporters, then one block per
// exporter id; every count goes to both. Slots marked (global) are only kept in the first block.
export const STAT_DATAGRAMS: i32 = 0; // Datagrams given to ingest().
export const STAT_DATAGRAMS_REJECTED: i32 = 1; // Datagrams with a non-OK status.
export const STAT_RECORDS: i32 = 2; // Flow data records decoded (accounted unless outside the monitored networks).
export const STAT_TEMPLATES_ADDED: i32 = 3;
export const STAT_TEMPLATES_UPDATED: i32 = 4; // Redefinitions with a different layout.
export const STAT_SETS_NO_TEMPLATE: i32 = 5; // Data sets whose template was not known on arrival.
export const STAT_ERR_TRUNCATED: i32 = 6;
export const STAT_ERR_BAD_VERSION: i32 = 7;
export const STAT_ERR_BAD_SET_LENGTH: i32 = 8;
export const STAT_ERR_BAD_TEMPLATE: i32 = 9;
export const STAT_ERR_BAD_RECORD: i32 = 10;
export const STAT_ERR_TOO_LARGE: i32 = 11;
export const STAT_TEMPLATES_FULL: i32 = 12; // Templates evicted (least recently seen) to stay within a cap.
export const STAT_HOSTS: i32 = 13; // (global) Hosts in the table when the window was last closed.
export const STAT_OVERFLOW_RECORDS: i32 = 14; // Host updates summed into the overflow entry.
export const STAT_RECORDS_NO_ADDRESS: i32 = 15; // Data records without source or destination address.
export const STAT_OPTIONS_RECORDS: i32 = 16; // Options data records (exporter metadata, not flows).
export const STAT_SETS_RESERVED: i32 = 17; // Sets with a reserved id, skipped.
export const STAT_LAST_ERROR_OFFSET: i32 = 18; // (global) Byte offset of the last error in its datagram.
export const STAT_LAST_DOMAIN: i32 = 19; // (global) Observation domain of the last error.
export const STAT_LAST_TEMPLATE: i32 = 20; // (global) Template id of the last error or missing template.
export const STAT_TEMPLATES_WITHDRAWN: i32 = 21;
export const STAT_TEMPLATES_EXPIRED: i32 = 22; // Not refreshed within the template lifetime.
export const STAT_SETS_HELD: i32 = 23; // Data sets held until their template arrives.
export const STAT_SETS_HELD_DECODED: i32 = 24; // Held sets decoded once the template came.
export const STAT_SETS_HELD_DROPPED: i32 = 25; // Held sets dropped: buffer full, too large, or too old.
export const STAT_SEQUENCE_GAPS: i32 = 26; // Messages whose sequence number skipped ahead.
export const STAT_PACKETS_V5: i32 = 27;
export const STAT_PACKETS_V9: i32 = 28;
export const STAT_PACKETS_IPFIX: i32 = 29;
export const STAT_SAMPLED_RECORDS: i32 = 30; // Records whose counts were scaled by a sampling rate.
export const STAT_SAMPLING_RATE: i32 = 31; // The sampling rate last applied (1 = unsampled).
export const STAT_DOMAINS_FULL: i32 = 32; // Domain states dropped (least recently used) to make room.
export const STAT_ERR_BAD_COUNT: i32 = 33;
export const STAT_MISSED_RECORDS: i32 = 34; // Records (packets for v9) the sequence gaps say were lost.
export const STAT_UNMONITORED_RECORDS: i32 = 35; // Flow records with no address in the monitored networks.
export const STAT_SKETCH_VALUES_DROPPED: i32 = 36; // Distinct-count values not recorded: the window's sketch memory was full.
export const STAT_SKETCH_BYTES: i32 = 37; // (global) Sketch memory the window used when it was last closed.
export const STAT_COUNT: i32 = 38;

// Input region: one datagram, at most the largest UDP payload.
export const INPUT_CAPACITY: u32 = 65536;

// Batch region: up to BATCH_CAPACITY datagrams written by the host (the native UDP reader) in slots of
// INPUT_CAPACITY bytes, each described by BATCH_META_SIZE bytes (u32 length, then the reader's own
// fields), with a u32 exporter id and an i32 status (written by ingestBatch) per slot.
export const BATCH_CAPACITY: u32 = 64;
export const BATCH_META_SIZE: u32 = 32;

// Host entry layout (bytes). The table's dense entry array is the window delta: after closeWindow()
// the host reads entries [0, n) in place, so no copy is made between the table and the frame encoder.
// Five cache lines (the entry array is 64-byte aligned), grouped so that a flow sent by a host touches
// lines 0, 1 and 3 of its entry, and a flow received lines 0, 2 and 4:
//   line 0: [0,16) address (IPv6, IPv4 as ::ffff:a.b.c.d), [16,20) flags, [20,24) index slot (core only),
//           [24,32) f64 first seen, [32,40) f64 last seen (epoch ms), [40,48) u64 flows out, [48,56) u64 flows in
//   line 1: u64 packets out, u64 bytes out, 8 x u32 TCP flows with each flag set (FIN, SYN, RST, PSH, ACK,
//           URG, ECE, CWR) out, 4 x u32 flows by protocol (TCP, UDP, ICMP v4 and v6, other) out
//   line 2: the same, in
//   lines 3-4: sketch heads: peers out, destination ports out; peers in, local ports in
export const DELTA_RECORD_SIZE: u32 = 320;
export const DELTA_OFF_FLAGS: u32 = 16;
export const DELTA_OFF_FIRST_SEEN: u32 = 24;
export const DELTA_OFF_LAST_SEEN: u32 = 32;
export const DELTA_OFF_FLOWS_OUT: u32 = 40;
export const DELTA_OFF_FLOWS_IN: u32 = 48;
export const DELTA_OFF_PACKETS_OUT: u32 = 64;
export const DELTA_OFF_BYTES_OUT: u32 = 72;
export const DELTA_OFF_TCP_OUT: u32 = 80; // 8 x u32
export const DELTA_OFF_PROTO_OUT: u32 = 112; // 4 x u32: TCP, UDP, ICMP (v4 and v6), other
export const DELTA_OFF_PACKETS_IN: u32 = 128;
export const DELTA_OFF_BYTES_IN: u32 = 136;
export const DELTA_OFF_TCP_IN: u32 = 144; // 8 x u32
export const DELTA_OFF_PROTO_IN: u32 = 176; // 4 x u32
export const DELTA_OFF_PEERS_OUT: u32 = 192; // SKETCH_HEAD_SIZE each
export const DELTA_OFF_PORTS_OUT: u32 = 224;
export const DELTA_OFF_PEERS_IN: u32 = 256;
export const DELTA_OFF_PORTS_IN: u32 = 288;
export const DELTA_FLAG_OVERFLOW: u32 = 1; // The entry sums hosts that found the table full.

// Distinct-count sketch heads (32 bytes, see table/sketch.ts): up to seven u32 values, then u16 values,
// u8 log2 of the exact table's slots, u8 form. Values are 32-bit hashes, never 0 (0 marks an empty slot).
export const SKETCH_HEAD_SIZE: u32 = 32;
export const SKETCH_INLINE_VALUES: u32 = 7;
export const SKETCH_EMPTY: u32 = 0;
export const SKETCH_INLINE: u32 = 1; // Up to seven values, kept in the head.
export const SKETCH_EXACT: u32 = 2; // Word 0 is the address of an open-addressing table of values, at most half full.
export const SKETCH_HLL: u32 = 3; // Word 0 is the address of the HyperLogLog registers, one byte each.
export const SKETCH_SPARSE: u32 = 4; // Word 0 is the address of a table of the registers that are set: u32 (index + 1) << 5 | rank.
export const SKETCH_EXACT_LIMIT: u32 = 256; // Sets up to this size are kept exactly; beyond it, HyperLogLog.
export const SKETCH_HLL_BITS: u32 = 15; // Register index bits: 32,768 registers, 0.57 % standard error.
