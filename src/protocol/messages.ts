/** The wire schema of the probe-to-merger link: one file, one version constant, a comment per field. */
import type { DistinctSketch } from './sketch.js';

/** PROTOCOL_VERSION is the frame version this code writes; it reads every version up to it. Version 2
 * carries the two times as offsets and port sets as ports (docs/protocol.md). */
export const PROTOCOL_VERSION = 2;
/** FRAME_MAGIC opens every frame: "HFLW". */
export const FRAME_MAGIC = 0x48464c57;
/** FRAME_KIND_WINDOW is one window's host deltas from one probe. */
export const FRAME_KIND_WINDOW = 1;
/** FRAME_KIND_ACK is the merger's acknowledgement to a probe: every frame of it with a sequence up to the
 * one acknowledged is durable (written to the history, or never to be merged: late or duplicate). */
export const FRAME_KIND_ACK = 2;
/** MAX_PROBE_ID_BYTES caps the UTF-8 probe id. */
export const MAX_PROBE_ID_BYTES = 64;
/** PROBE_ID_HEADER carries the probe id (URI-encoded UTF-8) in the WebSocket upgrade request, so that the
 * merger knows which probe connected before its first frame (frames carry the id too). */
export const PROBE_ID_HEADER = 'hostflow-probe-id';
/** MAX_FRAME_HOSTS caps the hosts of one frame: a window with more hosts goes out in several parts, so a
 * frame stays below about 10 MB and decoding one never stalls the merger. */
export const MAX_FRAME_HOSTS = 100_000;
/** MAX_FRAME_REGISTER_SKETCHES caps the HyperLogLog sketches of one frame (32 KiB each once decoded, however
 * few bytes their sparse form took), so that decoding a frame takes at most 32 MiB; a probe starts a new
 * part when it reaches it. */
export const MAX_FRAME_REGISTER_SKETCHES = 1024;
/** FLAG_MORE_PARTS in the header's flags: more frames of this window follow from this probe. */
export const FLAG_MORE_PARTS = 1;

const TCP_FLAGS = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'] as const;
const PROTOCOLS = ['tcp', 'udp', 'icmp', 'other'] as const;

/** HOST_FIELDS are the per-host values, in wire order; bit i of an entry's presence mask is field i. */
export const HOST_FIELDS = [
  'flows_out', // Flows with the host as source.
  'packets_out', // Packets of those flows (sampling rate applied).
  'bytes_out', // Bytes (octets) of those flows.
  'flows_in', // Flows with the host as destination.
  'packets_in',
  'bytes_in',
  ...TCP_FLAGS.map((f) => `tcp_${f}_out` as const), // TCP flows with the flag set, host as source.
  ...TCP_FLAGS.map((f) => `tcp_${f}_in` as const),
  ...PROTOCOLS.map((p) => `flows_${p}_out` as const), // Flows by protocol (ICMP: v4 and v6).
  ...PROTOCOLS.map((p) => `flows_${p}_in` as const),
  'first_seen', // Earliest flow start (epoch ms) in the window.
  'last_seen', // Latest flow end (epoch ms) in the window.
] as const;
export type HostField = (typeof HOST_FIELDS)[number];
export const HOST_FIELD_COUNT = HOST_FIELDS.length;
/** FIRST_SEEN and LAST_SEEN are the positions of the two time fields: they merge by min and max. */
export const FIRST_SEEN = HOST_FIELDS.indexOf('first_seen');
export const LAST_SEEN = HOST_FIELDS.indexOf('last_seen');

/** DISTINCT_FIELDS are the distinct counts, carried as sketches (bits 32.. of the presence mask). */
export const DISTINCT_FIELDS = [
  'peers_out', // Distinct destination addresses of the host's flows.
  'peers_in', // Distinct source addresses of the flows to the host.
  'dst_ports_out', // Distinct destination ports of its TCP, UDP and SCTP flows.
  'local_ports_in', // Distinct local (destination) ports of the TCP, UDP and SCTP flows to it.
] as const;
export type DistinctField = (typeof DISTINCT_FIELDS)[number];
export const DISTINCT_COUNT = DISTINCT_FIELDS.length;

/** SKETCH_EXACT_LIMIT: sets of up to this many values are sent and merged exactly; larger ones as HyperLogLog. */
export const SKETCH_EXACT_LIMIT = 256;
/** SKETCH_HLL_BITS: HyperLogLog register index bits (2^15 registers, 0.57 % standard error, so that an
 * estimate of 100,000 is within 2 % (3.5 standard errors) all but about once in 2,000). */
export const SKETCH_HLL_BITS = 15;
export const SKETCH_REGISTERS = 1 << SKETCH_HLL_BITS;
/** SKETCH_MAX_RANK: sketch values are 32-bit hashes, so a register's rank is at most 32 - 15 + 1. */
export const SKETCH_MAX_RANK = 32 - SKETCH_HLL_BITS + 1;

/** COUNTER_FIELDS are the additive ones: windows and probes sum them. */
export const COUNTER_FIELDS = HOST_FIELDS.slice(0, FIRST_SEEN) as readonly HostField[];
/** STAT_COLUMNS are every per-host statistic, in the column order of `hostflow aggregate` and the API. */
export const STAT_COLUMNS = [...COUNTER_FIELDS, ...DISTINCT_FIELDS, 'first_seen', 'last_seen'] as const;
export type StatColumn = HostField | DistinctField;
/** COLUMN_AT says where each statistic lives: i >= 0 is HOST_FIELDS[i], i < 0 is DISTINCT_FIELDS[-1 - i]. */
export const COLUMN_AT = Object.fromEntries(STAT_COLUMNS.map((c) => {
  const i = (HOST_FIELDS as readonly string[]).indexOf(c);
  return [c, i >= 0 ? i : -1 - (DISTINCT_FIELDS as readonly string[]).indexOf(c)];
})) as Record<StatColumn, number>;

/** MAIN_FIELDS are the six flow, packet and byte counts, out and in. */
export const MAIN_FIELDS = HOST_FIELDS.slice(0, 6) as readonly HostField[];

/** Address families of a host entry. */
export const FAMILY_OVERFLOW = 0; // No address: hosts summed because the probe's table was full.
export const FAMILY_IPV4 = 4; // 4 address bytes follow.
export const FAMILY_IPV6 = 6; // 16 address bytes follow.

/** OVERFLOW_HOST is the host name of the overflow entry in JSON. */
export const OVERFLOW_HOST = 'overflow';

/** PROBE_STATS are the probe's cumulative counters since it started, sent with every frame so that the
 * merger can show each probe's health; a newer probe may append fields, an older merger ignores them. */
export const PROBE_STATS = [
  'datagrams', // Datagrams received from exporters.
  'datagrams_rejected', // Datagrams with an error (counted below by reason).
  'records', // Flow records decoded and accounted.
  'templates', // Templates learned.
  'sets_no_template', // Data sets whose template was not known.
  'err_truncated',
  'err_bad_version',
  'err_bad_set_length',
  'err_bad_template',
  'err_bad_record',
  'err_too_large',
  'overflow_records', // Host updates summed into the overflow entry (table full).
  'frames_dropped', // Frames the uplink dropped because its queue was full.
  'templates_evicted', // Templates dropped to stay within the template caps.
  'sequence_gaps', // Export messages whose sequence number skipped ahead (loss between exporter and probe).
  'core_faults', // Datagrams dropped because the core trapped: a bug, never the input's fault.
  'sketch_values_dropped', // Distinct-count values not recorded because the window's sketch memory was full.
  'uplink_frames_queued', // Frames waiting for the merger (the uplink's queue) when this frame was made.
  'uplink_bytes_queued',
  'udp_kernel_drops', // Datagrams the kernel dropped at the probe's UDP socket (its receive buffer was full), where the platform says.
] as const;
export type ProbeStatName = (typeof PROBE_STATS)[number];

/** EXPORTER_STATS are one exporter's cumulative counters at the probe, sent with the last frame of each
 * window: the exporters' health, by name (appendable like PROBE_STATS). */
export const EXPORTER_STATS = [
  'packets_ipfix', 'packets_v9', 'packets_v5', // Export packets by protocol version.
  'records', 'options_records', 'records_without_address',
  'sampling_rate', // The rate last applied to its records (1: unsampled).
  'sampled_records',
  'templates_added', 'templates_updated', 'templates_withdrawn', 'templates_expired', 'templates_evicted',
  'sets_without_template', 'sets_held', 'sets_held_decoded', 'sets_held_dropped', 'sets_reserved',
  'sequence_gaps', 'sequence_missed', // Per observation domain, as IPFIX (records) and v9 (packets) count.
  'rejected_truncated', 'rejected_bad_version', 'rejected_bad_set_length', 'rejected_bad_template',
  'rejected_bad_record', 'rejected_too_large', 'rejected_bad_count',
] as const;
export type ExporterStatName = (typeof EXPORTER_STATS)[number];
/** MAX_FRAME_EXPORTERS caps the exporters one frame reports. */
export const MAX_FRAME_EXPORTERS = 4096;

/** ExporterReport is one exporter's counters in a frame. */
export interface ExporterReport {
  address: string;
  stats: number[]; // EXPORTER_STATS values, in that order.
}

/** WindowHeader says whose window a frame carries. */
export interface WindowHeader {
  probeId: string; // 1..64 UTF-8 bytes.
  windowStart: number; // Epoch ms, a multiple of windowLength.
  windowLength: number; // ms.
  sequence: number; // Per probe, +1 per frame; (probeId, sequence) identifies a frame.
  stats: number[]; // PROBE_STATS values, in that order.
  moreParts?: boolean; // More frames of this window follow (header flag FLAG_MORE_PARTS).
  exporters?: ExporterReport[]; // The exporters' counters (the last part of a window carries them).
}

/** HostDelta is one host's values in one window; values[i] is HOST_FIELDS[i], distinct[i] DISTINCT_FIELDS[i]. */
export interface HostDelta {
  host: string; // Address text, or OVERFLOW_HOST.
  values: Float64Array;
  distinct: (DistinctSketch | undefined)[];
}

/** WindowFrame is a decoded window frame. */
export interface WindowFrame extends WindowHeader {
  hosts: HostDelta[];
}
