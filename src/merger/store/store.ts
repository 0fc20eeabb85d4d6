/** The merger's history in DuckDB: each completed window's host rows in one transaction with the probes'
 * sequences, rollups to minutes and hours as their periods close, retention per level, and the state to
 * continue after a restart. Writes are queued and run one at a time, in window order. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBInstance, DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Retention } from '../../shared/config.js';
import { addHost, copyHost, hostBytes, type CompletedWindow, type HostStats } from '../merge.js';
import { levelsFor, schema, type Level } from './schema.js';
import { HostRowWriter, addrHost, HOST_SELECT, readHost } from './rows.js';
import type { LevelSpan } from './plan.js';


/** StoreOptions say where the file is and how long each level is kept. */
export interface StoreOptions {
  dataDir: string;
  windowMs: number;
  retention: Retention;
  clock?: () => number; // For retention; Date.now unless a test moves time.
}

/** PeriodSum is a minute or an hour being rolled up: the sum of the finer rows written in it so far. */
interface PeriodSum {
  start: number;
  hosts: Map<string, HostStats>;
}

/** StoreStats is what the store counted. */
export interface StoreStats {
  windowsWritten: number;
  rowsWritten: number; // Host rows, all levels.
  writeErrors: number;
  lastError: string;
  lastWriteMs: number; // How long the latest window's transaction took.
  queued: number; // Windows waiting to be written.
}

export const DB_FILE = 'hostflow.duckdb';

/** duck is DuckDB, loaded by the first open: a process that is only a probe never maps its library. */
let duck: typeof import('@duckdb/node-api');

/** HistoryStore owns the DuckDB file: one connection writes, one reads. */
export class HistoryStore {
  readonly levels: Level[];
  /** completedUpTo: every window that starts before it is written (-Infinity: none yet). */
  completedUpTo = -Infinity;
  /** sequences: per probe, the highest sequence in a written window. */
  readonly sequences = new Map<string, number>();
  readonly stats: StoreStats = { windowsWritten: 0, rowsWritten: 0, writeErrors: 0, lastError: '', lastWriteMs: 0, queued: 0 };
  private _minute?: PeriodSum;
  private _hour?: PeriodSum;
  private readonly _oldest: number[]; // Per level: the oldest row's ts (Infinity: none).
  private _queue: Promise<void> = Promise.resolve();
  private _lastPrune = -Infinity;
  private readonly _clock: () => number;
  private readonly _rows = new HostRowWriter(duck);
  private _insertWindow?: DuckDBPreparedStatement;
  private _upsertSequence?: DuckDBPreparedStatement;

  private constructor(
    private readonly _instance: DuckDBInstance,
    private readonly _writer: DuckDBConnection,
    readonly reader: DuckDBConnection,
    readonly options: StoreOptions,
  ) {
    this.levels = levelsFor(options.windowMs);
    this._oldest = this.levels.map(() => Infinity);
    this._clock = options.clock ?? Date.now;
  }

  /** open creates or opens DATA_DIR/hostflow.duckdb and reads back where the history stopped. */
  static async open(options: StoreOptions): Promise<HistoryStore> {
    mkdirSync(options.dataDir, { recursive: true });
    const path = join(options.dataDir, DB_FILE);
    duck ??= await import('@duckdb/node-api');
    let instance: DuckDBInstance;
    try {
      instance = await duck.DuckDBInstance.create(path);
    } catch (err) {
      throw new Error(`cannot open the history database ${path}: ${(err as Error).message}`);
    }
    const writer = await instance.connect();
    const store = new HistoryStore(instance, writer, await instance.connect(), options);
    for (const ddl of schema(store.levels)) await writer.run(ddl);
    await store._recover();
    return store;
  }

  /** spans says what each level holds, for planSegments. */
  spans(): LevelSpan[] {
    // Each level is written up to the period being rolled up (planSegments floors it to the level's periods).
    const minuteUpTo = this._minute?.start ?? this.completedUpTo;
    const upTo = [this.completedUpTo, minuteUpTo, this._hour?.start ?? minuteUpTo];
    return this.levels.map((_, k) => ({ oldest: this._oldest[k], upTo: upTo[k] }));
  }

  /** write queues a completed window; the promise settles when it is committed (or failed and counted). */
  write(w: CompletedWindow): Promise<void> {
    this.stats.queued++;
    const done = this._queue.then(() => this._write(w));
    this._queue = done.catch(() => undefined).finally(() => { this.stats.queued--; });
    return done;
  }

  /** flushed resolves when every queued write has run. */
  flushed(): Promise<void> {
    return this._queue;
  }

  private async _write(w: CompletedWindow): Promise<void> {
    const began = performance.now();
    let rows = 0;
    await this._writer.run('BEGIN TRANSACTION');
    try {
      rows += await this._appendRows(0, w.start, w.hosts);
      const insertWindow = (this._insertWindow ??= await this._writer.prepare('INSERT INTO windows VALUES ($1, $2, $3, $4)'));
      insertWindow.bindBigInt(1, BigInt(w.start));
      insertWindow.bindInteger(2, w.length);
      insertWindow.bindList(3, duck.listValue(w.probes), duck.LIST(duck.VARCHAR));
      insertWindow.bindInteger(4, w.hosts.size);
      await insertWindow.run();
      const upsert = (this._upsertSequence ??= await this._writer.prepare('INSERT OR REPLACE INTO probe_sequence VALUES ($1, $2, $3)'));
      for (const [probe, seq] of w.sequences) {
        if (seq <= (this.sequences.get(probe) ?? -1)) continue;
        upsert.bindVarchar(1, probe);
        upsert.bindBigInt(2, BigInt(seq));
        upsert.bindBigInt(3, BigInt(w.start));
        await upsert.run();
      }
      rows += await this._rollUp(w);
      await this._writer.run('COMMIT');
    } catch (err) {
      await this._writer.run('ROLLBACK').catch(() => undefined);
      this.stats.writeErrors++;
      this.stats.lastError = (err as Error).message;
      await this._recover(); // The rollups in memory must match what is committed.
      throw err;
    }
    this.completedUpTo = Math.max(this.completedUpTo, w.start + w.length);
    for (const [probe, seq] of w.sequences) if (seq > (this.sequences.get(probe) ?? -1)) this.sequences.set(probe, seq);
    if (w.hosts.size > 0) this._oldest[0] = Math.min(this._oldest[0], w.start);
    this.stats.windowsWritten++;
    this.stats.rowsWritten += rows;
    this.stats.lastWriteMs = performance.now() - began;
    const now = this._clock();
    if (now - this._lastPrune >= 60_000) {
      await this.prune(now).catch((err: Error) => { this.stats.lastError = `retention: ${err.message}`; });
    }
  }

  /** _rollUp adds the window to the minute being rolled up, writes the minute when it closes (or when a
   * later minute's window arrives), and does the same for the hour with the minutes. */
  private async _rollUp(w: CompletedWindow): Promise<number> {
    let rows = 0;
    const minute = this.levels[1];
    const minuteStart = Math.floor(w.start / minute.lengthMs) * minute.lengthMs;
    if (this._minute && this._minute.start < minuteStart) rows += await this._closeMinute();
    this._minute ??= { start: minuteStart, hosts: new Map() };
    sumInto(this._minute.hosts, w.hosts);
    if ((w.start + w.length) % minute.lengthMs === 0) rows += await this._closeMinute();
    return rows;
  }

  private async _closeMinute(): Promise<number> {
    const [, minute, hour] = this.levels;
    const m = this._minute!;
    this._minute = undefined;
    let rows = await this._appendRows(1, m.start, m.hosts);
    if (m.hosts.size > 0) this._oldest[1] = Math.min(this._oldest[1], m.start);
    const hourStart = Math.floor(m.start / hour.lengthMs) * hour.lengthMs;
    if (this._hour && this._hour.start < hourStart) rows += await this._closeHour();
    this._hour ??= { start: hourStart, hosts: new Map() };
    sumInto(this._hour.hosts, m.hosts);
    if ((m.start + minute.lengthMs) % hour.lengthMs === 0) rows += await this._closeHour();
    return rows;
  }

  private async _closeHour(): Promise<number> {
    const h = this._hour!;
    this._hour = undefined;
    if (h.hosts.size > 0) this._oldest[2] = Math.min(this._oldest[2], h.start);
    return this._appendRows(2, h.start, h.hosts);
  }

  private async _appendRows(level: number, ts: number, hosts: Map<string, HostStats>): Promise<number> {
    if (hosts.size === 0) return 0;
    const appender = await this._writer.createAppender(this.levels[level].table);
    this._rows.write(appender, ts, hosts);
    appender.closeSync();
    return hosts.size;
  }

  /** prune deletes what is past each level's retention at time now. */
  async prune(now = this._clock()): Promise<void> {
    this._lastPrune = now;
    const retention = [this.options.retention.window, this.options.retention.minute, this.options.retention.hour];
    for (const [k, level] of this.levels.entries()) {
      const cutoff = now - retention[k];
      if (this._oldest[k] >= cutoff) continue;
      await this._writer.run(`DELETE FROM ${level.table} WHERE ts < ${cutoff}`);
      this._oldest[k] = await this._minTs(level.table);
    }
    // The windows table (which windows exist, and their probes) is kept as long as the longest level.
    await this._writer.run(`DELETE FROM windows WHERE ts < ${now - Math.max(...retention)}`);
  }

  private async _minTs(table: string): Promise<number> {
    const rows = (await this._writer.runAndReadAll(`SELECT min(ts) FROM ${table}`)).getRows();
    return rows[0][0] === null ? Infinity : Number(rows[0][0]);
  }

  /** _recover reads where the history stopped: the last window, each probe's sequence, and the minute and
   * hour being rolled up (summed again from the rows written in them). */
  private async _recover(): Promise<void> {
    const last = (await this._writer.runAndReadAll('SELECT max(ts + length_ms) FROM windows')).getRows()[0][0];
    this.completedUpTo = last === null ? -Infinity : Number(last);
    this.sequences.clear();
    for (const [probe, seq] of (await this._writer.runAndReadAll('SELECT probe, sequence FROM probe_sequence')).getRows()) {
      this.sequences.set(probe as string, Number(seq));
    }
    for (const [k, level] of this.levels.entries()) this._oldest[k] = await this._minTs(level.table);
    this._minute = this._hour = undefined;
    if (this.completedUpTo === -Infinity) return;
    const [window, minute, hour] = this.levels;
    const minuteStart = Math.floor(this.completedUpTo / minute.lengthMs) * minute.lengthMs;
    const hourStart = Math.floor(this.completedUpTo / hour.lengthMs) * hour.lengthMs;
    if (minuteStart < this.completedUpTo) this._minute = { start: minuteStart, hosts: await this._sumRows(window.table, minuteStart) };
    // The hour holds the minutes written in it; the minute in progress joins it when it closes.
    const hourHosts = await this._sumRows(minute.table, hourStart);
    if (hourHosts.size > 0) this._hour = { start: hourStart, hosts: hourHosts };
  }

  private async _sumRows(table: string, from: number): Promise<Map<string, HostStats>> {
    const sum = new Map<string, HostStats>();
    const result = await this._writer.runAndReadAll(`SELECT addr, ${HOST_SELECT} FROM ${table} WHERE ts >= ${from}`);
    for (const row of result.getRows()) {
      const host = addrHost(row[0] as bigint | null);
      const s = readHost(row);
      const acc = sum.get(host);
      if (acc) addHost(acc, s);
      else sum.set(host, s);
    }
    return sum;
  }

  /** rollupBytes estimates the memory the minute and hour being rolled up hold (a walk over their hosts). */
  rollupBytes(): number {
    let bytes = 0;
    for (const p of [this._minute, this._hour]) if (p) for (const s of p.hosts.values()) bytes += hostBytes(s);
    return bytes;
  }

  /** close waits for the queued writes and closes the file. */
  async close(): Promise<void> {
    await this._queue.catch(() => undefined);
    this.reader.closeSync();
    this._writer.closeSync();
    this._instance.closeSync();
  }
}

/** sumInto adds hosts into an accumulator (copies: the accumulator changes later). */
function sumInto(into: Map<string, HostStats>, hosts: Map<string, HostStats>): void {
  for (const [host, s] of hosts) {
    const acc = into.get(host);
    if (acc) addHost(acc, s);
    else into.set(host, copyHost(s));
  }
}
