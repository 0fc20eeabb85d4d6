/** HTTP/JSON routes over the merger's state: parameter checks, then queries. No sockets here. */
import { STAT_COLUMNS, type StatColumn } from '../protocol/messages.js';
import type { MemoryHistory } from './history.js';
import { sumWindows, topHosts, liveMessage } from './query.js';

/** ApiResponse is what a route answers; the transport writes it. */
export interface ApiResponse {
  status: number;
  body: string;
  contentType?: string;
}

/** ApiError is a bad request: HTTP 400 with a message saying which parameter and why. */
export class ApiError extends Error {}

const json = (status: number, value: unknown): ApiResponse => ({ status, body: JSON.stringify(value), contentType: 'application/json' });

function intParam(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const text = q.get(name);
  if (text === null || text === '') return undefined;
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new ApiError(`${name} must be an integer in [${min}, ${max}], got "${text}"`);
  return v;
}

/** Api answers the HTTP routes from the history. */
export class Api {
  constructor(private readonly _history: MemoryHistory, private readonly _status: () => object, private readonly _exporters: () => object) {}

  /** handle routes one GET request; unknown routes give undefined. */
  handle(path: string, query: string): ApiResponse | undefined {
    try {
      const q = new URLSearchParams(query);
      switch (path) {
        case '/api/hosts/top': return this._top(q);
        case '/api/live/latest': {
          const w = this._history.latest();
          return w ? json(200, liveMessage(w)) : { status: 204, body: '' };
        }
        case '/api/status': return json(200, this._status());
        case '/api/exporters': return json(200, this._exporters());
      }
      return undefined;
    } catch (err) {
      if (err instanceof ApiError) return json(400, { error: err.message });
      throw err;
    }
  }

  /** _top: GET /api/hosts/top?metric=M&limit=N&from=MS&to=MS; default range: the latest complete window. */
  private _top(q: URLSearchParams): ApiResponse {
    const metric = (q.get('metric') ?? 'bytes_out') as StatColumn;
    if (!STAT_COLUMNS.includes(metric)) throw new ApiError(`metric must be one of ${STAT_COLUMNS.join(', ')}, got "${metric}"`);
    const limit = intParam(q, 'limit', 1, 1_000_000) ?? 10;
    let from = intParam(q, 'from', 0, Number.MAX_SAFE_INTEGER);
    let to = intParam(q, 'to', 0, Number.MAX_SAFE_INTEGER);
    if (from === undefined && to === undefined) {
      const latest = this._history.latest();
      from = latest?.start ?? 0;
      to = latest ? latest.start + latest.length : 0;
    }
    from ??= 0;
    to ??= Number.MAX_SAFE_INTEGER;
    if (to < from) throw new ApiError(`to (${to}) must not be before from (${from})`);
    const windows = this._history.between(from, to);
    const hosts = topHosts(sumWindows(windows), metric, limit);
    return json(200, { metric, from, to, windows: windows.length, hosts });
  }
}
