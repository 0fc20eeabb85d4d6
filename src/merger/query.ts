/** Queries over completed windows: top hosts by a metric, window totals, the live message. Pure. */
import { HOST_FIELDS, MAIN_FIELDS, HOST_FIELD_COUNT, OVERFLOW_HOST, type HostField } from '../protocol/messages.js';
import { addValues, type CompletedWindow } from './merge.js';

/** HostJson is one host's figures as the API writes them. */
export type HostJson = { host: string } & Partial<Record<HostField, number>>;

/** LIVE_TOP_ROWS is how many hosts per metric a live message carries. */
export const LIVE_TOP_ROWS = 25;

/** sumWindows adds the hosts of several windows. */
export function sumWindows(windows: CompletedWindow[]): Map<string, Float64Array> {
  if (windows.length === 1) return windows[0].hosts;
  const sum = new Map<string, Float64Array>();
  for (const w of windows) {
    for (const [host, values] of w.hosts) {
      const acc = sum.get(host);
      if (acc) addValues(acc, values);
      else sum.set(host, Float64Array.from(values));
    }
  }
  return sum;
}

/** hostJson writes the counter fields of one host (first/last seen as epoch ms). */
export function hostJson(host: string, v: Float64Array): HostJson {
  const row: HostJson = { host };
  for (let i = 0; i < HOST_FIELD_COUNT; i++) row[HOST_FIELDS[i]] = v[i];
  return row;
}

/** topHosts ranks hosts by a metric, descending (address as tie-break), and keeps the first limit. */
export function topHosts(hosts: Map<string, Float64Array>, metric: HostField, limit: number): HostJson[] {
  const m = HOST_FIELDS.indexOf(metric);
  const entries = [...hosts];
  entries.sort((a, b) => b[1][m] - a[1][m] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return entries.slice(0, limit).map(([host, v]) => hostJson(host, v));
}

/** WindowTotals are network-wide sums of one window. */
export interface WindowTotals {
  flows: number;
  packets: number;
  bytes: number;
  hosts: number;
}

/** windowTotals sums a window; every flow is counted once, from its source's side. */
export function windowTotals(hosts: Map<string, Float64Array>): WindowTotals {
  const t: WindowTotals = { flows: 0, packets: 0, bytes: 0, hosts: 0 };
  for (const [host, v] of hosts) {
    t.flows += v[0];
    t.packets += v[1];
    t.bytes += v[2];
    if (host !== OVERFLOW_HOST) t.hosts++;
  }
  return t;
}

/** liveMessage is what /api/live pushes for a completed window: top lists for the six main counts. */
export function liveMessage(w: CompletedWindow): object {
  const top: Record<string, HostJson[]> = {};
  for (const metric of MAIN_FIELDS) top[metric] = topHosts(w.hosts, metric, LIVE_TOP_ROWS);
  return { type: 'window', start: w.start, length: w.length, probes: w.probes.length, totals: windowTotals(w.hosts), top };
}
