/** Host rows between the merger's HostStats and DuckDB: the appender's column order and reading rows back. */
import type { DuckDBAppender, DuckDBBlobValue } from '@duckdb/node-api';
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

/** appendHost writes one host row in the table's column order (schema.ts). */
export function appendHost(a: DuckDBAppender, ts: bigint, host: string, s: HostStats): void {
  a.appendBigInt(ts);
  const addr = hostAddr(host);
  if (addr === null) a.appendNull();
  else a.appendUHugeInt(addr);
  for (let i = 0; i < HOST_FIELD_COUNT; i++) a.appendDouble(s.values[i]);
  for (let j = 0; j < DISTINCT_COUNT; j++) {
    const d = s.distinct[j];
    a.appendDouble(d ? d.estimate() : 0);
    if (d) a.appendBlob(encodeSketch(d));
    else a.appendNull();
  }
  a.endRow();
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

