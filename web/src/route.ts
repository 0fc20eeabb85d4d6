// The URL is the state: which view, its subject (a prefix, a host), and its parameters. Parsing falls back
// to defaults with a notice for what it could not read. (<hf-app> writes URLs: parameters as given, v=1 with any.)
import { parsePrefix, formatPrefix, ROOT_V4, type Prefix } from './prefix.js';
import { HEATMAP_STATS } from './stats.js';

export type View = 'overview' | 'map' | 'host' | 'health';

export interface Route {
  view: View;
  prefix: Prefix; // map: the prefix shown.
  prefixGiven: boolean; // map: false for /map alone, which starts where the hosts are (coveringPrefix).
  host: string; // host: the address.
  params: URLSearchParams; // Everything else, as in the URL.
  notices: string[]; // What was not understood and fell back to a default.
}

/** parseRoute reads a path and query, e.g. "/map/10.0.0.0/8" "?metric=flows_out". */
export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  const notices: string[] = [];
  const parts = pathname.split('/').filter(Boolean).map((p) => { try { return decodeURIComponent(p); } catch { return p; } });
  const r: Route = { view: 'overview', prefix: ROOT_V4, prefixGiven: false, host: '', params, notices };
  if (parts[0] === 'map') {
    r.view = 'map';
    if (parts.length > 1) {
      const p = parsePrefix(parts.slice(1).join('/'));
      r.prefixGiven = true; // A prefix that is not one shows the root, and says so.
      if (p) r.prefix = p;
      else notices.push(`"${parts.slice(1).join('/')}" is not a prefix: showing ${formatPrefix(ROOT_V4)}`);
    }
    const metric = params.get('metric');
    if (metric !== null && !HEATMAP_STATS.includes(metric)) {
      notices.push(`the heatmap cannot colour by "${metric.slice(0, 40)}": showing bytes out`);
      params.delete('metric');
    }
  } else if (parts[0] === 'host' && parts[1]) {
    const p = parsePrefix(parts[1]);
    if (p && p.len === 128) { r.view = 'host'; r.host = parts[1]; } else notices.push(`"${parts[1]}" is not an address`);
  } else if (parts[0] === 'health') {
    r.view = 'health';
  } else if (parts.length > 0) {
    notices.push(`there is no page ${pathname.slice(0, 60)}: showing the overview`);
  }
  return r;
}

/** searchTarget is where the search box goes: an address to its detail, a prefix to its heatmap. */
export function searchTarget(text: string): string | undefined {
  const t = text.trim();
  const p = parsePrefix(t);
  if (!p) return undefined;
  if (!t.includes('/')) return `/host/${t}`;
  return p.len === 128 ? `/host/${t.split('/')[0]}` : `/map/${formatPrefix(p)}`;
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** parseTime reads "now", "now-1h", "now-30m" or an ISO time into epoch ms; undefined if it is neither. */
export function parseTime(text: string, now: number): number | undefined {
  const rel = /^now(?:-(\d+)([smhdw]))?$/.exec(text.trim());
  if (rel) return rel[1] ? now - Number(rel[1]) * UNITS[rel[2]!]! : now;
  if (!/^\d{4}-\d\d-\d\dT/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isFinite(t) ? t : undefined;
}

export const PRESETS = [['5m', 'now-5m'], ['15m', 'now-15m'], ['1h', 'now-1h'], ['6h', 'now-6h'], ['24h', 'now-24h'], ['7d', 'now-7d']] as const;

export interface TimeRange {
  from: number;
  to: number;
  live: boolean; // to is now: new windows are appended as they come.
}

/** timeRange reads the URL's from and to (defaults now-1h and now), snapped to windows. */
export function timeRange(params: URLSearchParams, now: number, windowMs: number, defaultFrom = 'now-1h'): TimeRange & { notices: string[] } {
  const notices: string[] = [];
  const read = (key: string, def: string) => {
    const text = params.get(key) ?? def;
    const t = parseTime(text, now);
    if (t !== undefined) return { t, text };
    notices.push(`${key}="${text}" is not a time (now, now-1h, or ISO): using ${def}`);
    return { t: parseTime(def, now)!, text: def };
  };
  const to = read('to', 'now'), from = read('from', defaultFrom);
  let f = Math.floor(from.t / windowMs) * windowMs, t = Math.ceil(to.t / windowMs) * windowMs;
  if (t <= f) { notices.push('from is not before to: showing the hour before to'); f = t - 3_600_000; }
  return { from: f, to: t, live: to.text === 'now', notices };
}

export type Granularity = 'auto' | 'window' | 'minute' | 'hour';
export const GRANULARITIES: Granularity[] = ['auto', 'window', 'minute', 'hour'];

/** stepFor is the series step for a range: a multiple of the level (the given one, or for auto the finest
 * retained one: windows up to 1 h, minutes up to 1 day, else hours), at most maxPoints points. */
export function stepFor(span: number, gran: Granularity, windowMs: number, maxPoints = 600): { step: number; level: Exclude<Granularity, 'auto'> } {
  const nominal = Math.max(windowMs, span - windowMs); // Snapped to windows, a range is up to one window longer than asked.
  const level = gran !== 'auto' ? gran : nominal <= 3_600_000 ? 'window' : nominal <= 86_400_000 ? 'minute' : 'hour';
  const unit = level === 'window' ? windowMs : level === 'minute' ? 60_000 : 3_600_000;
  return { step: unit * Math.max(1, Math.ceil(nominal / maxPoints / unit)), level };
}
