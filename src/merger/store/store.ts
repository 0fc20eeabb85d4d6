/** The merger's history in DuckDB: each completed window's host rows in one transaction with the probes'
 * sequences and the rollups its window closes (a minute from its windows' rows, an hour from its minutes',
 * read back host by host, so that no period is ever held whole in memory), retention per level, and the
 * state to continue after a restart. Writes are queued and run one at a time, in window order. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBInstance, DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import type { Retention } from '../../shared/config.js';
import { addHost, type CompletedWindow, type HostStats } from '../merge.js';
import { levelsFor, schema, type Level } from './schema.js';
import { HostRowWriter, addrHost, HOST_SELECT, readHost } from './rows.js';
import { floorTo, type LevelSpan } from './plan.js';


/** StoreOptions say where the file is and how long each level is kept. */
export interface StoreOptions {
  dataDir: string;
  windowMs: number;
  retention: Retention;
  clock?: () => number; // For retention; Date.now unless a test moves time.
}

/** StoreStats is what the store counted. */
export interface StoreStats {
  windowsWritten: number;
  rowsWritten: number; // Host rows, all levels.
  writeErrors: number; // Transactions that failed (each is tried again).
  retrying: boolean; // The window at the head of the queue failed and waits to be tried again.
  lastError: string;
  lastWriteMs: number; // How long the latest window's transaction took.
  queued: number; // Windows waiting to be written.
}

export const DB_FILE = 'hostflow.duckdb';
const DB_MEMORY_LIMIT = '2GB';
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/** duck is DuckDB, loaded by the first open: a process that is only a probe never maps its library. */
let duck: typeof import('@duckdb/node-api');

/** HistoryStore owns the DuckDB file: one connection writes, one reads. */
export class HistoryStore {
  readonly levels: Level[];
  /** completedUpTo: every window that starts before it is written (-Infinity: none yet). */
  completedUpTo = -Infinity;
  /** sequences: per probe, the highest sequence in a written window. */
  readonly sequences = new Map<string, number>();
  readonly stats: StoreStats = { windowsWritten: 0, rowsWritten: 0, writeErrors: 0, retrying: false, lastError: '', lastWriteMs: 0, queued: 0 };
  /** Rolled up: minute rows exist for every minute before _done[1], hour rows for every hour before _done[2]. */
  private readonly _done = [-Infinity, -Infinity, -Infinity];
  private readonly _oldest: number[]; // Per level: the oldest row's ts (Infinity: none).
  private _queue: Promise<void> = Promise.resolve();
  private _lastPrune = -Infinity;
  private _closing = false;
  private readonly _clock: () => number;
  private readonly _rows = new HostRowWriter(duck);
  private _insertWindow?: DuckDBPreparedStatement;
  private _upsertRollup?: DuckDBPreparedStatement;
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
      // DuckDB takes 80 % of RAM by default; a rollup's sort spills to disk past this instead.
      instance = await duck.DuckDBInstance.create(path, { memory_limit: DB_MEMORY_LIMIT });
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
    const upTo = [this.completedUpTo, this._done[1], this._done[2]];
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

  /** _write commits one window; a failed transaction (a full disk, say) is rolled back, counted and tried
   * again with backoff, so that a window once complete is never lost while the merger runs. */
  private async _write(w: CompletedWindow): Promise<void> {
    for (let backoff = RETRY_MIN_MS; ; backoff = Math.min(backoff * 2, RETRY_MAX_MS)) {
      try {
        return await this._tryWrite(w);
      } catch (err) {
        this.stats.writeErrors++;
        this.stats.lastError = (err as Error).message;
        this.stats.retrying = true;
        if (this._closing) throw err;
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
  }

  private async _tryWrite(w: CompletedWindow): Promise<void> {
    const began = performance.now();
    let rows = 0;
    const done = [...this._done];
    await this._writer.run('BEGIN TRANSACTION');
    try {
      rows += await this._appendWindowRows(w.start, w.hosts);
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
      rows += await this._rollUp(w, done);
      await this._writer.run('COMMIT');
    } catch (err) {
      await this._writer.run('ROLLBACK').catch(() => undefined);
      await this._recover().catch(() => undefined); // What is known in memory must match what is committed.
      throw err;
    }
    done.forEach((t, k) => { this._done[k] = t; });
    this.completedUpTo = Math.max(this.completedUpTo, w.start + w.length);
    for (const [probe, seq] of w.sequences) if (seq > (this.sequences.get(probe) ?? -1)) this.sequences.set(probe, seq);
    if (w.hosts.size > 0) this._oldest[0] = Math.min(this._oldest[0], w.start);
    this.stats.windowsWritten++;
    this.stats.retrying = false;
    this.stats.rowsWritten += rows;
    this.stats.lastWriteMs = performance.now() - began;
    const now = this._clock();
    if (now - this._lastPrune >= 60_000) {
      await this.prune(now).catch((err: Error) => { this.stats.lastError = `retention: ${err.message}`; });
    }
  }

  /** _rollUp writes the minutes this window closes (its own if it is the minute's last, and any earlier
   * one whose last window never came), then the hours those minutes close; done holds the new marks. */
  private async _rollUp(w: CompletedWindow, done: number[]): Promise<number> {
    let rows = 0;
    const [, minute, hour] = this.levels.map((l) => l.lengthMs);
    const minuteStart = floorTo(w.start, minute);
    if (done[1] === -Infinity) done[1] = minuteStart; // The first window of a new history.
    if (done[2] === -Infinity) done[2] = floorTo(minuteStart, hour);
    const minutesTo = (w.start + w.length) % minute === 0 ? minuteStart + minute : minuteStart;
    if (done[1] < minutesTo) {
      rows += await this._rollRange(1, done[1], minutesTo);
      done[1] = minutesTo;
    }
    const hoursTo = floorTo(done[1], hour);
    if (done[2] < hoursTo) {
      rows += await this._rollRange(2, done[2], hoursTo);
      done[2] = hoursTo;
    }
    const upsert = (this._upsertRollup ??= await this._writer.prepare('INSERT OR REPLACE INTO rollup_state VALUES ($1, $2)'));
    for (const k of [1, 2]) {
      upsert.bindVarchar(1, this.levels[k].name);
      upsert.bindBigInt(2, BigInt(done[k]));
      await upsert.run();
    }
    return rows;
  }

  /** _rollRange writes level k's rows for [from, to) from level k-1's: the finer rows stream in order of
   * period and host, and each host's are added up (counters sum, sketches union) as they pass. */
  private async _rollRange(k: number, from: number, to: number): Promise<number> {
    const period = this.levels[k].lengthMs;
    const result = await this._writer.stream(`SELECT ts - ts % ${period} AS p, addr, ${HOST_SELECT} FROM ${this.levels[k - 1].table}
      WHERE ts >= ${from} AND ts < ${to} ORDER BY p, addr NULLS FIRST`);
    const out = this._rows.rows();
    let acc: HostStats | undefined;
    let accPeriod = 0, accAddr: bigint | null = null, rows = 0;
    for (let chunk; (chunk = await result.fetchChunk()) && chunk.rowCount > 0;) {
      for (const row of chunk.getRows()) {
        const p = Number(row[0]);
        const addr = row[1] as bigint | null;
        const s = readHost(row, 2);
        if (acc && p === accPeriod && addr === accAddr) {
          addHost(acc, s);
          continue;
        }
        if (acc) { out.add(BigInt(accPeriod), accAddr, acc); rows++; }
        acc = s; accPeriod = p; accAddr = addr;
      }
    }
    if (acc) { out.add(BigInt(accPeriod), accAddr, acc); rows++; }
    const chunks = out.chunks();
    if (chunks.length > 0) {
      const appender = await this._writer.createAppender(this.levels[k].table);
      for (const chunk of chunks) appender.appendDataChunk(chunk);
      appender.closeSync();
      this._oldest[k] = Math.min(this._oldest[k], floorTo(from, period));
    }
    return rows;
  }

  private async _appendWindowRows(ts: number, hosts: Map<string, HostStats>): Promise<number> {
    if (hosts.size === 0) return 0;
    const appender = await this._writer.createAppender(this.levels[0].table);
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

  /** _recover reads where the history stopped: the last window, each probe's sequence, the rollups' marks. */
  private async _recover(): Promise<void> {
    const last = (await this._writer.runAndReadAll('SELECT max(ts + length_ms) FROM windows')).getRows()[0][0];
    this.completedUpTo = last === null ? -Infinity : Number(last);
    this.sequences.clear();
    for (const [probe, seq] of (await this._writer.runAndReadAll('SELECT probe, sequence FROM probe_sequence')).getRows()) {
      this.sequences.set(probe as string, Number(seq));
    }
    for (const [k, level] of this.levels.entries()) this._oldest[k] = await this._minTs(level.table);
    this._done.fill(-Infinity);
    for (const [level, until] of (await this._writer.runAndReadAll('SELECT level, done_until FROM rollup_state')).getRows()) {
      const k = this.levels.findIndex((l) => l.name === level);
      if (k > 0) this._done[k] = Number(until);
    }
  }

  /** close waits for the queued writes and closes the file. */
  async close(): Promise<void> {
    this._closing = true; // A write that fails now is not tried again: the probes still hold its frames.
    await this._queue.catch(() => undefined);
    this.reader.closeSync();
    this._writer.closeSync();
    this._instance.closeSync();
  }
}

