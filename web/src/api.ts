// Types and validation for the merger's live window messages (WebSocket /api/live, GET /api/live/latest).

/** The six per-host counters, each of which has its own top list in a window message. */
export const METRICS = [
  'flows_out',
  'packets_out',
  'bytes_out',
  'flows_in',
  'packets_in',
  'bytes_in',
  'peers_out',
  'peers_in',
  'dst_ports_out',
  'local_ports_in',
] as const;

/** One per-host counter: a measure (flows, packets, bytes) in one direction (out = sent, in = received). */
export type Metric = (typeof METRICS)[number];

/** The metric the top-hosts table ranks by unless the URL says otherwise. */
export const DEFAULT_METRIC: Metric = 'bytes_out';

/** Host name the merger uses for the sum of hosts a probe could not track because its table was full. */
export const OVERFLOW_HOST = 'overflow';

/** One host's counters, summed over one window. */
export interface HostRow {
  /** IPv4 or IPv6 address, or {@link OVERFLOW_HOST}. */
  host: string;
  flows_out: number;
  packets_out: number;
  bytes_out: number;
  flows_in: number;
  packets_in: number;
  bytes_in: number;
  /** Distinct counts: estimates (exact up to 256 values). */
  peers_out: number;
  peers_in: number;
  dst_ports_out: number;
  local_ports_in: number;
}

/** Sums over all hosts for one window. */
export interface WindowTotals {
  flows: number;
  packets: number;
  bytes: number;
  /** Hosts active in the window. */
  hosts: number;
}

/** A probe's state as of a pushed window. */
export interface ProbeState {
  probe: string;
  connected: boolean;
  lag_ms: number;
  /** Whether the probe's frame is in this window. */
  in_window: boolean;
}

/** One completed window as pushed by the merger. */
export interface WindowMessage {
  type: 'window';
  /** Window start, epoch milliseconds. */
  start: number;
  /** Window length, milliseconds. */
  length: number;
  /** Probes that contributed to this window. */
  probes: number;
  /** Every known probe (at most 200). */
  probeStates: ProbeState[];
  totals: WindowTotals;
  /** Per metric, at most 25 rows sorted by that metric, descending. */
  top: Record<Metric, HostRow[]>;
}

/** True for `metric` strings that name one of the {@link METRICS}. */
export function isMetric(value: unknown): value is Metric {
  return typeof value === 'string' && (METRICS as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number, or NaN for anything else, so that a missing counter shows as missing rather than 0. */
function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

function parseRow(value: unknown): HostRow | null {
  if (!isRecord(value) || typeof value.host !== 'string' || value.host === '') return null;
  return {
    host: value.host,
    flows_out: num(value.flows_out),
    packets_out: num(value.packets_out),
    bytes_out: num(value.bytes_out),
    flows_in: num(value.flows_in),
    packets_in: num(value.packets_in),
    bytes_in: num(value.bytes_in),
    peers_out: num(value.peers_out),
    peers_in: num(value.peers_in),
    dst_ports_out: num(value.dst_ports_out),
    local_ports_in: num(value.local_ports_in),
  };
}

/**
 * Validates a decoded window message. Returns null when the message is not a usable window (wrong type,
 * missing or non-positive length, no totals); tolerates missing top lists (empty) and missing counters (NaN).
 */
export function parseWindowMessage(value: unknown): WindowMessage | null {
  if (!isRecord(value) || value.type !== 'window') return null;
  const start = num(value.start);
  const length = num(value.length);
  if (Number.isNaN(start) || !(length > 0) || !isRecord(value.totals)) return null;
  const topIn = isRecord(value.top) ? value.top : {};
  const top = {} as Record<Metric, HostRow[]>;
  for (const metric of METRICS) {
    const list = topIn[metric];
    top[metric] = Array.isArray(list)
      ? list.map(parseRow).filter((row): row is HostRow => row !== null)
      : [];
  }
  return {
    type: 'window',
    start,
    length,
    probes: num(value.probes),
    probeStates: Array.isArray(value.probe_states)
      ? value.probe_states.filter(isRecord).filter((p) => typeof p.probe === 'string').map((p) => ({
        probe: p.probe as string, connected: p.connected === true, lag_ms: num(p.lag_ms), in_window: p.in_window === true,
      }))
      : [],
    totals: {
      flows: num(value.totals.flows),
      packets: num(value.totals.packets),
      bytes: num(value.totals.bytes),
      hosts: num(value.totals.hosts),
    },
    top,
  };
}
