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

/** HostRowWriter writes host rows in the table's column order (schema.ts) through data chunks: values
 * land in the chunk's typed arrays and cross into DuckDB once per column per 2,048 rows, where an
 * appender call per value would cross it some 45 times a row. */
export class HostRowWriter {
  private readonly _types: DuckDBType[];

  constructor(private readonly _duck: typeof import('@duckdb/node-api')) {
    const d = _duck;
    this._types = [d.BIGINT, d.UHUGEINT, ...HOST_FIELDS.map(() => d.DOUBLE), ...DISTINCT_FIELDS.flatMap(() => [d.DOUBLE, d.BLOB])];
  }

  /** write appends one row per host, all with the same ts. */
  write(appender: DuckDBAppender, ts: number, hosts: Map<string, HostStats>): void {
    const t = BigInt(ts);
    let chunk: DuckDBDataChunk | undefined;
    let v: DuckDBVector[] = [];
    let row = 0;
    const flush = () => {
      for (const vector of v) vector.flush();
      chunk!.rowCount = row; // Fewer rows in the last chunk: set after the vectors are written.
      appender.appendDataChunk(chunk!);
      chunk = undefined;
    };
    for (const [host, s] of hosts) {
      if (!chunk) {
        chunk = this._duck.DuckDBDataChunk.create(this._types, ROWS_PER_CHUNK);
        v = this._types.map((_, i) => chunk!.getColumnVector(i));
        row = 0;
      }
      v[0].setItem(row, t);
      v[1].setItem(row, hostAddr(host));
      for (let i = 0; i < HOST_FIELD_COUNT; i++) v[2 + i].setItem(row, s.values[i]);
      for (let j = 0, c = 2 + HOST_FIELD_COUNT; j < DISTINCT_COUNT; j++, c += 2) {
        const d = s.distinct[j];
        v[c].setItem(row, d ? d.estimate() : 0);
        v[c + 1].setItem(row, d ? new this._duck.DuckDBBlobValue(encodeSketch(d)) : null);
      }
      if (++row === ROWS_PER_CHUNK) flush();
    }
    if (chunk) flush();
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

