/** The history's tables: one host table per level (windows, minutes, hours), the windows written, and the
 * last merged sequence of every probe. Column names are the statistics' names, as in `hostflow aggregate`. */
import { HOST_FIELDS, DISTINCT_FIELDS } from '../../protocol/messages.js';

/** Level is one granularity of the history. */
export interface Level {
  name: 'window' | 'minute' | 'hour';
  table: string;
  lengthMs: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** levelsFor lists the levels, finest first, for a window length that tiles minutes and hours. */
export function levelsFor(windowMs: number): Level[] {
  return [
    { name: 'window', table: 'host_window', lengthMs: windowMs },
    { name: 'minute', table: 'host_minute', lengthMs: MINUTE_MS },
    { name: 'hour', table: 'host_hour', lengthMs: HOUR_MS },
  ];
}

/** sketchColumn names the column that holds a distinct count's sketch (compact wire form, NULL when empty). */
export const sketchColumn = (field: string): string => `${field}_sketch`;

/** Counters and times are DOUBLE: exact for integers below 2^53, and appended without a BigInt per value.
 * addr is the address as a 128-bit number (IPv4 as ::ffff:a.b.c.d), so a prefix is a range; NULL is the
 * overflow entry (hosts a probe's full table summed). */
function hostTable(table: string): string {
  const columns = [
    'ts BIGINT NOT NULL', 'addr UHUGEINT',
    ...HOST_FIELDS.map((c) => `${c} DOUBLE NOT NULL`), // The counters, then first_seen and last_seen.
    ...DISTINCT_FIELDS.flatMap((f) => [`${f} DOUBLE NOT NULL`, `${sketchColumn(f)} BLOB`]),
  ];
  return `CREATE TABLE IF NOT EXISTS ${table} (${columns.join(', ')})`;
}

/** schema creates what is missing. windows: one row per completed window (empty ones too), with the
 * probes merged into it; probe_sequence: per probe the highest sequence in a written window; rollup_state:
 * how far minutes and hours are rolled up. */
export function schema(levels: Level[]): string[] {
  return [
    ...levels.map((l) => hostTable(l.table)),
    'CREATE TABLE IF NOT EXISTS windows (ts BIGINT PRIMARY KEY, length_ms INTEGER NOT NULL, probes VARCHAR[] NOT NULL, hosts INTEGER NOT NULL)',
    'CREATE TABLE IF NOT EXISTS probe_sequence (probe VARCHAR PRIMARY KEY, sequence BIGINT NOT NULL, window_ts BIGINT NOT NULL)',
    // Rollups written: the level's rows exist for every period that starts before done_until.
    'CREATE TABLE IF NOT EXISTS rollup_state (level VARCHAR PRIMARY KEY, done_until BIGINT NOT NULL)',
  ];
}
