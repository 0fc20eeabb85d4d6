/** Queries over one completed window in memory: top hosts by a metric, window totals, the live message. Pure. */
import { MAIN_FIELDS, DISTINCT_FIELDS, OVERFLOW_HOST, STAT_COLUMNS, COLUMN_AT, type StatColumn } from '../protocol/messages.js';
import type { CompletedWindow, HostStats } from './merge.js';

/** HostJson is one host's figures as the API writes them. */
export type HostJson = { host: string } & Partial<Record<StatColumn, number>>;

/** LIVE_TOP_ROWS is how many hosts per metric a live message carries. */
export const LIVE_TOP_ROWS = 25;

/** statValue reads one statistic of a host: a counter or time, or a distinct count's estimate. */
export function statValue(s: HostStats, column: StatColumn): number {
  const at = COLUMN_AT[column];
  return at >= 0 ? s.values[at] : s.distinct[-1 - at]?.estimate() ?? 0;
}

/** hostJson writes every statistic of one host, in STAT_COLUMNS order (first/last seen as epoch ms). */
export function hostJson(host: string, s: HostStats): HostJson {
  const row: HostJson = { host };
  for (const c of STAT_COLUMNS) row[c] = statValue(s, c);
  return row;
}

/** topHosts ranks hosts by a statistic, descending (address as tie-break), and keeps the first limit. */
export function topHosts(hosts: Map<string, HostStats>, metric: StatColumn, limit: number): HostJson[] {
  const entries = [...hosts].map(([host, s]) => ({ host, s, key: statValue(s, metric) }));
  entries.sort((a, b) => b.key - a.key || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
  return entries.slice(0, limit).map((e) => hostJson(e.host, e.s));
}

/** WindowTotals are network-wide sums of one window. */
export interface WindowTotals {
  flows: number;
  packets: number;
  bytes: number;
  hosts: number;
}

/** windowTotals sums a window; every flow is counted once, from its source's side. */
export function windowTotals(hosts: Map<string, HostStats>): WindowTotals {
  const t: WindowTotals = { flows: 0, packets: 0, bytes: 0, hosts: 0 };
  for (const [host, { values: v }] of hosts) {
    t.flows += v[0];
    t.packets += v[1];
    t.bytes += v[2];
    if (host !== OVERFLOW_HOST) t.hosts++;
  }
  return t;
}

/** ProbeLive is each known probe's state as a live message carries it. */
export interface ProbeLive { probe: string; connected: boolean; lag_ms: number; in_window: boolean }

/** LIVE_COLUMNS are the statistics a live message ranks by, and the only ones its rows carry (the overview's
 * table): the six counts and the four distinct counts. */
export const LIVE_COLUMNS: readonly StatColumn[] = [...MAIN_FIELDS, ...DISTINCT_FIELDS];

/** liveMessage is what /api/live pushes for a completed window: totals, a top list per LIVE_COLUMNS entry,
 * and every known probe's state (so that the overview shows probes without asking). */
export function liveMessage(w: CompletedWindow, probes: ProbeLive[] = []): object {
  const top: Record<string, HostJson[]> = {};
  for (const metric of LIVE_COLUMNS) {
    top[metric] = topHosts(w.hosts, metric, LIVE_TOP_ROWS).map((row) => {
      const trimmed: HostJson = { host: row.host };
      for (const c of LIVE_COLUMNS) trimmed[c] = row[c];
      return trimmed;
    });
  }
  return { type: 'window', start: w.start, length: w.length, probes: w.probes.length, probe_states: probes, totals: windowTotals(w.hosts), top };
}
