/** HTTP/JSON routes over the merger's state and history: parameter checks, then queries. No sockets here.
 * Times are epoch ms, ranges [from, to). Bad parameters get 400 with a message saying which and why. */
import { STAT_COLUMNS, type StatColumn } from '../protocol/messages.js';
import { parseAddress, parseCidr, isMappedV4, type Cidr } from '../protocol/address.js';
import type { CompletedWindow } from './merge.js';
import { topHosts, liveMessage, type ProbeLive } from './query.js';
import type { HistoryQueries, Range } from './store/queries.js';
import { levelForStep, floorTo, ceilTo } from './store/plan.js';
import type { Level } from './store/schema.js';

/** ApiResponse is what a route answers; the transport writes it. */
export interface ApiResponse {
  status: number;
  body: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

/** ApiError is a bad request: HTTP 400 with a message saying which parameter and why. */
export class ApiError extends Error {}

/** ApiSources are what the routes read: the history, the latest window in memory, the merger's state. */
export interface ApiSources {
  queries: HistoryQueries;
  levels: Level[];
  latest(): CompletedWindow | undefined;
  probeStates(w: CompletedWindow): ProbeLive[];
  knownProbe(id: string): boolean;
  /** historyUpTo: every window before it is in the history (-Infinity: none yet). */
  historyUpTo(): number;
  status(): object;
  probes(): object;
  exporters(): object;
  metrics(): string;
}

const json = (status: number, value: unknown): ApiResponse => ({ status, body: JSON.stringify(value), contentType: 'application/json' });

/** MAX_POINTS bounds a series (buckets) so that no request can ask for an unbounded answer. */
export const MAX_POINTS = 100_000;
const DEFAULT_POINTS = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** shown quotes a bad value for an error message, cut short: an error need not echo a whole URL. */
const shown = (text: string): string => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text);

function intParam(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const text = q.get(name);
  if (text === null || text === '') return undefined;
  const v = /^-?\d{1,16}$/.test(text) ? Number(text) : NaN; // Decimal digits only: not 1e3, 0x10 or 1.0.
  if (!Number.isSafeInteger(v) || v < min || v > max) throw new ApiError(`${name} must be an integer in [${min}, ${max}], got ${shown(text)}`);
  return v;
}

/** pathPart decodes one URL path segment; a malformed escape is the client's error. */
function pathPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ApiError(`${shown(text)} is not a valid URL path segment (a malformed % escape)`);
  }
}

function metricParam(q: URLSearchParams, fallback: StatColumn): StatColumn {
  const metric = (q.get('metric') ?? fallback) as StatColumn;
  if (!STAT_COLUMNS.includes(metric)) throw new ApiError(`metric must be one of ${STAT_COLUMNS.join(', ')}, got ${shown(metric)}`);
  return metric;
}

function prefixParam(q: URLSearchParams, required: boolean): Cidr | undefined {
  const text = q.get('prefix');
  if (text === null || text === '') {
    if (required) throw new ApiError('prefix is required (a CIDR such as 10.0.0.0/8 or 2001:db8::/32)');
    return undefined;
  }
  const cidr = parseCidr(text);
  if (!cidr) throw new ApiError(`prefix must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32, got ${shown(text)}`);
  return cidr;
}

/** Api answers the HTTP routes. */
export class Api {
  constructor(private readonly _s: ApiSources) {}

  /** handle routes one GET request; unknown routes give undefined. */
  async handle(path: string, query: string): Promise<ApiResponse | undefined> {
    try {
      const q = new URLSearchParams(query);
      const series = /^\/api\/hosts\/([^/]+)\/series$/.exec(path);
      if (series) return await this._series(pathPart(series[1]), q);
      const windows = /^\/api\/probes\/([^/]+)\/windows$/.exec(path);
      if (windows) return await this._probeWindows(pathPart(windows[1]), q);
      switch (path) {
        case '/api/hosts/top': return await this._top(q);
        case '/api/heatmap': return await this._heatmap(q);
        case '/api/totals': return await this._totals(q);
        case '/api/live/latest': {
          const w = this._s.latest();
          return w ? json(200, liveMessage(w, this._s.probeStates(w))) : { status: 204, body: '' };
        }
        case '/api/status': return json(200, this._s.status());
        case '/api/probes': return json(200, this._s.probes());
        case '/api/exporters': return json(200, this._s.exporters());
        case '/metrics': return { status: 200, body: this._s.metrics(), contentType: 'text/plain; version=0.0.4' };
      }
      return undefined;
    } catch (err) {
      if (err instanceof ApiError) return json(400, { error: err.message });
      throw err;
    }
  }

  /** _range reads from/to; without them, the last `span` ms of history. */
  private _range(q: URLSearchParams, span: number): Range {
    const from = intParam(q, 'from', 0, Number.MAX_SAFE_INTEGER);
    const upTo = this._s.historyUpTo();
    const to = intParam(q, 'to', 0, Number.MAX_SAFE_INTEGER) ?? (Number.isFinite(upTo) ? upTo : Date.now());
    const range = { from: from ?? Math.max(0, to - span), to };
    if (range.to <= range.from) throw new ApiError(`to (${range.to}) must be after from (${range.from})`);
    return range;
  }

  /** _step reads step (default: what gives at most a few hundred points) and picks the level it fits. */
  private _step(q: URLSearchParams, r: Range): { step: number; level: number; range: Range } {
    const windowMs = this._s.levels[0].lengthMs;
    const span = r.to - r.from;
    // Without a step: windows up to an hour, minutes up to a day, else hours, at most DEFAULT_POINTS of them.
    const step = intParam(q, 'step', 1, Number.MAX_SAFE_INTEGER)
      ?? (span <= HOUR ? windowMs : span <= DAY ? 60_000 : Math.ceil(span / DEFAULT_POINTS / HOUR) * HOUR);
    const level = levelForStep(step, this._s.levels);
    if (level === undefined) throw new ApiError(`step must be a multiple of the window length (${windowMs} ms), got ${step}`);
    const range = { from: floorTo(r.from, step), to: ceilTo(r.to, step) };
    const points = (range.to - range.from) / step;
    if (points > MAX_POINTS) throw new ApiError(`from..to over step ${step} gives ${points} points, more than ${MAX_POINTS}: use a larger step`);
    return { step, level, range };
  }

  /** _top: GET /api/hosts/top?metric=M&limit=N&from=MS&to=MS&prefix=CIDR; without a range: the latest window. */
  private async _top(q: URLSearchParams): Promise<ApiResponse> {
    const metric = metricParam(q, 'bytes_out');
    const limit = intParam(q, 'limit', 1, 100_000) ?? 10;
    const prefix = prefixParam(q, false);
    const latest = this._s.latest();
    if (!q.has('from') && !q.has('to') && !prefix) {
      // The live case answers from memory, so it includes the window the history may still be writing.
      const hosts = latest ? topHosts(latest.hosts, metric, limit) : [];
      return json(200, { metric, from: latest?.start ?? null, to: latest ? latest.start + latest.length : null, hosts });
    }
    const range = this._range(q, latest ? latest.length : this._s.levels[0].lengthMs);
    const { hosts, exact } = await this._s.queries.top(metric, limit, range, prefix);
    return json(200, { metric, ...range, prefix: prefix?.text ?? null, exact, hosts });
  }

  /** _series: GET /api/hosts/IP/series?from&to&step: every statistic of one host as columns. */
  private async _series(host: string, q: URLSearchParams): Promise<ApiResponse> {
    if (host !== 'overflow' && !parseAddress(host)) throw new ApiError(`${shown(host)} is not an IPv4 or IPv6 address`);
    const { step, level, range } = this._step(q, this._range(q, HOUR));
    const s = await this._s.queries.series(host, range, step, level);
    return json(200, { host, ...range, step, level: this._s.levels[level].name, ts: s.ts, ...s.values });
  }

  /** _probeWindows: GET /api/probes/ID/windows?from&to: the windows with the probe's data, and the runs of
   * those without it, so that a gap shows as missing, never as zeros. */
  private async _probeWindows(probe: string, q: URLSearchParams): Promise<ApiResponse> {
    const windowMs = this._s.levels[0].lengthMs;
    const r = this._range(q, HOUR);
    const range = { from: floorTo(r.from, windowMs), to: ceilTo(r.to, windowMs) };
    if ((range.to - range.from) / windowMs > MAX_POINTS) throw new ApiError(`from..to spans more than ${MAX_POINTS} windows`);
    const w = await this._s.queries.probeWindows(probe, range, windowMs);
    if (w.reported === 0 && !this._s.knownProbe(probe)) return json(404, { error: `no probe ${shown(probe)} has connected to this merger, and the range has no window of one` });
    return json(200, { probe, ...range, window_ms: windowMs, ...w });
  }

  /** _totals: GET /api/totals?from&to&step: flows, packets, bytes and active hosts per step. */
  private async _totals(q: URLSearchParams): Promise<ApiResponse> {
    const { step, level, range } = this._step(q, this._range(q, HOUR));
    const s = await this._s.queries.totals(range, step, level);
    return json(200, { ...range, step, level: this._s.levels[level].name, ts: s.ts, ...s.values });
  }

  /** _heatmap: GET /api/heatmap?prefix=CIDR&metric=M&from&to: the metric per child prefix 16 bits longer
   * (an IPv4 /16 gives its 65,536 hosts, a /8 its /24s; IPv6 four nibbles deeper), cells in order. */
  private async _heatmap(q: URLSearchParams): Promise<ApiResponse> {
    const prefix = prefixParam(q, true)!;
    const metric = metricParam(q, 'bytes_out');
    const range = this._range(q, HOUR);
    const cellPrefix = Math.min(prefix.prefix + 16, 128);
    const v4 = isMappedV4(prefix.key) && prefix.prefix >= 96;
    const cells = await this._s.queries.heatmap(prefix, cellPrefix, metric, range);
    const format = q.get('format') ?? 'json';
    if (format === 'f32') return heatmapBinary(cells, cellPrefix - prefix.prefix, cellPrefix === 128);
    if (format !== 'json') throw new ApiError(`format must be json or f32, got ${shown(format)}`);
    return json(200, {
      prefix: prefix.text, metric, ...range,
      cell_prefix: v4 ? cellPrefix - 96 : cellPrefix, // Each cell is a prefix this long: a host at /32 or /128.
      columns: 2 ** Math.ceil((cellPrefix - prefix.prefix) / 2), // The grid's width: the high half of a cell's index is its row.
      ...cells,
    });
  }
}

/** heatmapBinary is the grid dense, for the UI's canvas: one float32 per cell in cell order (NaN where no
 * host was seen), then, unless the cells are hosts, one uint16 per cell with its host count (capped at
 * 65,535). A /16's 65,536 host cells are 256 KiB, where JSON takes about 880. */
function heatmapBinary(cells: { cell: number[]; value: number[]; hosts: number[] }, bits: number, hostCells: boolean): ApiResponse {
  const count = 2 ** bits;
  const body = new Uint8Array(count * (hostCells ? 4 : 6));
  const values = new Float32Array(body.buffer, 0, count).fill(NaN);
  const hosts = hostCells ? undefined : new Uint16Array(body.buffer, count * 4, count);
  cells.cell.forEach((c, i) => {
    values[c] = cells.value[i];
    if (hosts) hosts[c] = Math.min(65_535, cells.hosts[i]);
  });
  return { status: 200, body, contentType: 'application/octet-stream' };
}
