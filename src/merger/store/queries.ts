/** The history's read side: top hosts, one host's series, the heatmap's cells and network totals over any
 * range, each read from the coarsest rows that cover it (plan.ts). Distinct counts over several rows are
 * the union of their sketches, done here: DuckDB sums and ranks, this file unions. */
import { COLUMN_AT, STAT_COLUMNS, type StatColumn } from '../../protocol/messages.js';
import { cidrRange, type Cidr } from '../../protocol/address.js';
import { addTo, type HostStats } from '../merge.js';
import { hostJson, statValue, type HostJson } from '../query.js';
import { addrHost, hostAddr, HOST_SELECT, readHost } from './rows.js';
import { planSegments, floorTo, type Segment } from './plan.js';
import type { HistoryStore } from './store.js';

/** Range is [from, to) in epoch ms. */
export interface Range {
  from: number;
  to: number;
}

/** Series is one statistic per bucket, columnar: values[c][i] belongs to ts[i]; null where no window was
 * written (the merger had no data), 0 where the host was silent. */
export interface Series {
  ts: number[];
  values: Record<string, (number | null)[]>;
}

/** MAX_UNION_HOSTS bounds the hosts whose sketches one top query unions exactly. */
const MAX_UNION_HOSTS = 5_000;
/** DISTINCT_CANDIDATES x limit hosts by largest row and by largest sum are ranked beyond that bound. */
const DISTINCT_CANDIDATES = 20;

const isDistinct = (metric: StatColumn): boolean => COLUMN_AT[metric] < 0;

/** perHost is the SQL that ranks hosts by a metric over several rows: counters add, first seen is the
 * earliest, last seen the latest, and a distinct count is at least its largest row (the union comes later). */
function perHost(metric: StatColumn): string {
  if (metric === 'first_seen') return 'min(first_seen) FILTER (WHERE first_seen > 0)';
  if (metric === 'last_seen') return 'max(last_seen)';
  return isDistinct(metric) ? `max(${metric})` : `sum(${metric})`;
}

/** HistoryQueries answers range queries over a store's reading connection. */
export class HistoryQueries {
  constructor(private readonly _store: HistoryStore) {}

  /** segments plans a range over the levels up to coarsest. */
  segments(r: Range, coarsest?: number): Segment[] {
    return planSegments(r.from, r.to, this._store.levels, this._store.spans(), coarsest);
  }

  /** source is a UNION ALL of the segments' rows (columns and an optional condition), or undefined if none. */
  private _source(segments: Segment[], columns: string, where = 'true'): string | undefined {
    if (segments.length === 0) return undefined;
    return '(' + segments.map((s) => `SELECT ${columns} FROM ${this._store.levels[s.level].table} WHERE ts >= ${s.from} AND ts < ${s.to} AND (${where})`).join(' UNION ALL ') + ')';
  }

  private async _rows(sql: string): Promise<unknown[][]> {
    return (await this._store.reader.runAndReadAll(sql)).getRows() as unknown[][];
  }

  /** top ranks the hosts of a range by a metric, descending (address as tie-break), inside a prefix if
   * given; exact is false where a distinct count's ranking was over a bounded set of candidates. */
  async top(metric: StatColumn, limit: number, r: Range, prefix?: Cidr): Promise<{ hosts: HostJson[]; exact: boolean }> {
    const segments = this.segments(r);
    const where = prefix ? prefixCondition(prefix) : 'true';
    const ranked = this._source(segments, `addr, ${metric}`, where);
    const full = this._source(segments, `addr, ${HOST_SELECT}`, where);
    if (!ranked || !full) return { hosts: [], exact: true };
    let candidates = `SELECT addr FROM ${ranked} GROUP BY addr ORDER BY ${perHost(metric)} DESC NULLS LAST, addr NULLS LAST LIMIT ${limit}`;
    let exact = true;
    if (isDistinct(metric)) {
      // A distinct count over several rows lies between its largest row and the rows' sum: every host whose
      // sum reaches the limit-th largest row is a candidate, and the union of its sketches decides. Where
      // that is too many hosts to union (many hosts of similar counts), the candidates are the hosts with
      // the largest rows and the largest sums, DISTINCT_CANDIDATES x limit of each, and the answer says so.
      const bounds = `SELECT addr, max(${metric}) lo, sum(${metric}) hi FROM ${ranked} GROUP BY addr`;
      const all = `WITH b AS (${bounds}), l AS (SELECT lo FROM b ORDER BY lo DESC LIMIT 1 OFFSET ${limit - 1})
        SELECT addr FROM b WHERE hi >= coalesce((SELECT lo FROM l), 0)`;
      const count = Number((await this._rows(`SELECT count(*) FROM (${all})`))[0][0]);
      exact = count <= MAX_UNION_HOSTS;
      const n = DISTINCT_CANDIDATES * limit;
      candidates = exact ? all : `WITH b AS (${bounds})
        (SELECT addr FROM b ORDER BY lo DESC, addr LIMIT ${n}) UNION (SELECT addr FROM b ORDER BY hi DESC, addr LIMIT ${n})`;
    }
    const rows = await this._rows(`SELECT s.* FROM ${full} s SEMI JOIN (${candidates}) c ON s.addr IS NOT DISTINCT FROM c.addr`);
    const hosts = sumByHost(rows);
    const entries = [...hosts].map(([host, s]) => ({ host, s, key: statValue(s, metric) }));
    entries.sort((a, b) => b.key - a.key || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    return { hosts: entries.slice(0, limit).map((e) => hostJson(e.host, e.s)), exact };
  }

  /** series gives every statistic of one host per step-long bucket, from rows of level `level` and finer. */
  async series(host: string, r: Range, step: number, level: number): Promise<Series> {
    const addr = hostAddr(host);
    const where = addr === null ? 'addr IS NULL' : `addr = ${addr}::UHUGEINT`;
    const source = this._source(this.segments(r, level), `ts, ${HOST_SELECT}`, where);
    const rows = source ? await this._rows(`SELECT * FROM ${source} ORDER BY ts`) : [];
    const series: Series = { ts: [], values: Object.fromEntries(STAT_COLUMNS.map((c) => [c, []])) };
    if (rows.length === 0) return series; // An unknown host: an empty series.
    const buckets = new Map<number, HostStats>();
    for (const row of rows) {
      addTo(buckets, floorTo(Number(row[0]), step), readHost(row));
    }
    const covered = await this._coveredBuckets(r, step);
    for (let t = r.from; t < r.to; t += step) {
      series.ts.push(t);
      const s = buckets.get(t);
      for (const c of STAT_COLUMNS) series.values[c].push(s ? statValue(s, c) : covered.has(t) ? 0 : null);
    }
    return series;
  }

  /** totals are network-wide sums per bucket (flows, packets and bytes from the sources' side, as each
   * flow is counted once there) and the hosts active in it. */
  async totals(r: Range, step: number, level: number): Promise<Series> {
    const source = this._source(this.segments(r, level), 'ts, addr, flows_out, packets_out, bytes_out');
    const rows = source
      ? await this._rows(`SELECT ts - ts % ${step} b, sum(flows_out), sum(packets_out), sum(bytes_out), count(DISTINCT addr) FROM ${source} GROUP BY b`)
      : [];
    const byBucket = new Map(rows.map((row) => [Number(row[0]), row.slice(1).map(Number)]));
    const covered = await this._coveredBuckets(r, step);
    const names = ['flows', 'packets', 'bytes', 'hosts'];
    const series: Series = { ts: [], values: Object.fromEntries(names.map((n) => [n, []])) };
    for (let t = r.from; t < r.to; t += step) {
      series.ts.push(t);
      const v = byBucket.get(t);
      names.forEach((n, i) => series.values[n].push(v ? v[i] : covered.has(t) ? 0 : null));
    }
    return series;
  }

  /** heatmap aggregates a metric per child prefix of `cellBits` more bits: cell i is the i-th such prefix
   * inside `prefix`. Counters add; a distinct count is each host's largest row, added over the cell's hosts. */
  async heatmap(prefix: Cidr, cellPrefix: number, metric: StatColumn, r: Range): Promise<{ cell: number[]; value: number[]; hosts: number[] }> {
    const source = this._source(this.segments(r), `addr, ${metric}`, prefixCondition(prefix));
    const out = { cell: [] as number[], value: [] as number[], hosts: [] as number[] };
    if (!source) return out;
    const { first } = cidrRange(prefix);
    const cellAgg = metric === 'first_seen' ? 'min(v)' : metric === 'last_seen' ? 'max(v)' : 'sum(v)';
    const rows = await this._rows(`SELECT ((addr - ${first}::UHUGEINT) >> ${128 - cellPrefix})::UBIGINT cell, ${cellAgg}, count(*)
      FROM (SELECT addr, ${perHost(metric)} v FROM ${source} GROUP BY addr) GROUP BY cell ORDER BY cell`);
    for (const row of rows) {
      out.cell.push(Number(row[0]));
      out.value.push(Number(row[1] ?? 0));
      out.hosts.push(Number(row[2]));
    }
    return out;
  }

  /** probeWindows says which windows of a range have a probe's frames in the history, and which are
   * missing (the probe was down, its frames were lost, or the merger wrote nothing then) as [from, to) runs. */
  async probeWindows(probe: string, r: Range, windowMs: number): Promise<{ reported: number; missing: [number, number][] }> {
    const prepared = await this._store.reader.prepare('SELECT ts FROM windows WHERE ts >= $1 AND ts < $2 AND list_contains(probes, $3)');
    prepared.bindBigInt(1, BigInt(r.from));
    prepared.bindBigInt(2, BigInt(r.to));
    prepared.bindVarchar(3, probe);
    const reported = new Set((await prepared.runAndReadAll()).getRows().map((row) => Number(row[0])));
    const missing: [number, number][] = [];
    for (let t = r.from; t < r.to; t += windowMs) {
      if (reported.has(t)) continue;
      const last = missing[missing.length - 1];
      if (last && last[1] === t) last[1] = t + windowMs;
      else missing.push([t, t + windowMs]);
    }
    return { reported: reported.size, missing };
  }

  /** _coveredBuckets are the buckets in which the merger wrote at least one window. */
  private async _coveredBuckets(r: Range, step: number): Promise<Set<number>> {
    const rows = await this._rows(`SELECT DISTINCT ts - ts % ${step} FROM windows WHERE ts >= ${r.from} AND ts < ${r.to}`);
    return new Set(rows.map((row) => Number(row[0])));
  }
}

/** prefixCondition keeps the addresses of a prefix (the overflow entry, NULL, has none). */
function prefixCondition(prefix: Cidr): string {
  const { first, last } = cidrRange(prefix);
  return `addr BETWEEN ${first}::UHUGEINT AND ${last}::UHUGEINT`;
}

/** sumByHost adds rows selected as (addr, HOST_SELECT...) per host. */
function sumByHost(rows: unknown[][]): Map<string, HostStats> {
  const hosts = new Map<string, HostStats>();
  for (const row of rows) addTo(hosts, addrHost(row[0] as bigint | null), readHost(row));
  return hosts;
}
