/** Host rows between the merger's HostStats and DuckDB: the appender's column order and reading rows back. */
import type { DuckDBAppender, DuckDBBlobValue, DuckDBDataChunk, DuckDBType, DuckDBVector } from '@duckdb/node-api';
import { parseAddress, keyToBigInt, bigIntToKey, formatKey } from '../../protocol/address.js';
import { DISTINCT_COUNT, DISTINCT_FIELDS, HOST_FIELDS, HOST_FIELD_COUNT, OVERFLOW_HOST } from '../../protocol/messages.js';
import { encodeSketch, decodeSketch } from '../../protocol/frame.js';
import type { HostStats } from '../merge.js';
import { sketchColumn } from './schema.js';

/** hostAddr is a host's address column: a 128-bit number, or null for the overflow entry. */
export function hostAddr(host: string): bigint | null {
  if (host === OVERFLOW_HOST) return null;
  const key = parseAddress(host);
  if (!key) throw new Error(`"${host}" is not an address`);
  return keyToBigInt(key);
}

/** addrHost is the inverse of hostAddr. */
export function addrHost(addr: bigint | null): string {
  return addr === null ? OVERFLOW_HOST : formatKey(bigIntToKey(addr));
}

/** ROWS_PER_CHUNK: DuckDB's vector size; rows go to the appender a chunk at a time. */
const ROWS_PER_CHUNK = 2048;

/** HostRowWriter makes host rows in the table's column order (schema.ts) as data chunks: values land in
 * the chunk's typed arrays and cross into DuckDB once per column per 2,048 rows, where an appender call
 * per value would cross it some 45 times a row. */
export class HostRowWriter {
  private readonly _types: DuckDBType[];

  constructor(private readonly _duck: typeof import('@duckdb/node-api')) {
    const d = _duck;
    this._types = [d.BIGINT, d.UHUGEINT, ...HOST_FIELDS.map(() => d.DOUBLE), ...DISTINCT_FIELDS.flatMap(() => [d.DOUBLE, d.BLOB])];
  }

  /** write appends one row per host, all with the same ts. */
  write(appender: DuckDBAppender, ts: number, hosts: Map<string, HostStats>): void {
    const rows = this.rows();
    const t = BigInt(ts);
    for (const [host, s] of hosts) rows.add(t, hostAddr(host), s);
    for (const chunk of rows.chunks()) appender.appendDataChunk(chunk);
  }

  /** rows collects rows into chunks to append later (while a streaming result is open on the connection,
   * an appender must not flush: it would end the stream). */
  rows(): { add(ts: bigint, addr: bigint | null, s: HostStats): void; chunks(): DuckDBDataChunk[] } {
    const done: DuckDBDataChunk[] = [];
    let chunk: DuckDBDataChunk | undefined;
    let v: DuckDBVector[] = [];
    let row = 0;
    const close = () => {
      for (const vector of v) vector.flush();
      chunk!.rowCount = row; // Fewer rows in the last chunk: set after the vectors are written.
      done.push(chunk!);
      chunk = undefined;
    };
    return {
      add: (ts, addr, s) => {
        if (!chunk) {
          chunk = this._duck.DuckDBDataChunk.create(this._types, ROWS_PER_CHUNK);
          v = this._types.map((_, i) => chunk!.getColumnVector(i));
          row = 0;
        }
        v[0].setItem(row, ts);
        v[1].setItem(row, addr);
        for (let i = 0; i < HOST_FIELD_COUNT; i++) v[2 + i].setItem(row, s.values[i]);
        for (let j = 0, c = 2 + HOST_FIELD_COUNT; j < DISTINCT_COUNT; j++, c += 2) {
          const d = s.distinct[j];
          v[c].setItem(row, d ? d.estimate() : 0);
          v[c + 1].setItem(row, d ? new this._duck.DuckDBBlobValue(encodeSketch(d)) : null);
        }
        if (++row === ROWS_PER_CHUNK) close();
      },
      chunks: () => {
        if (chunk) close();
        return done;
      },
    };
  }
}

/** HOST_SELECT lists the columns readHost reads, after addr. */
export const HOST_SELECT = [...HOST_FIELDS, ...DISTINCT_FIELDS.map(sketchColumn)].join(', ');

/** readHost makes HostStats of a row selected as `addr, ${HOST_SELECT}` (from column offset at). */
export function readHost(row: readonly unknown[], at = 1): HostStats {
  const values = new Float64Array(HOST_FIELD_COUNT);
  for (let i = 0; i < HOST_FIELD_COUNT; i++) values[i] = row[at + i] as number;
  const distinct = [];
  for (let j = 0; j < DISTINCT_COUNT; j++) {
    const blob = row[at + HOST_FIELD_COUNT + j] as DuckDBBlobValue | null;
    distinct.push(blob ? decodeSketch(blob.bytes) : undefined);
  }
  return { values, distinct };
}

