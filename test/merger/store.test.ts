import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryStore } from '../../src/merger/store/store.js';
import { DEFAULT_RETENTION, type Retention } from '../../src/shared/config.js';
import { HistoryQueries } from '../../src/merger/store/queries.js';
import { addrHost, HOST_SELECT, readHost } from '../../src/merger/store/rows.js';
import { addHost, copyHost, type CompletedWindow, type HostStats } from '../../src/merger/merge.js';
import { DISTINCT_COUNT, FIRST_SEEN, HOST_FIELD_COUNT, LAST_SEEN, OVERFLOW_HOST } from '../../src/protocol/messages.js';
import { DistinctSketch } from '../../src/protocol/sketch.js';
import { parseCidr } from '../../src/protocol/address.js';
import { hostJson, statValue } from '../../src/merger/query.js';

const W = 10_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 3, 0, 58); // Two minutes before an hour: the rollups cross it.

/** random is a small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

const HOSTS = ['10.0.0.1', '10.0.0.2', '10.0.1.7', '192.168.5.5', '2001:db8::1', OVERFLOW_HOST];

/** window makes a window of random hosts: counters, times and sketches (some past the exact limit). */
function window(start: number, rnd: () => number, probes = ['p1']): CompletedWindow {
  const hosts = new Map<string, HostStats>();
  for (const host of HOSTS) {
    if (rnd() < 0.3) continue;
    const values = new Float64Array(HOST_FIELD_COUNT);
    for (let i = 0; i < FIRST_SEEN; i++) values[i] = Math.floor(rnd() * 1000);
    values[FIRST_SEEN] = start + Math.floor(rnd() * W / 2);
    values[LAST_SEEN] = start + W / 2 + Math.floor(rnd() * W / 2);
    const distinct = Array.from({ length: DISTINCT_COUNT }, (_, j) => {
      if (rnd() < 0.2) return undefined;
      const n = 1 + Math.floor(rnd() * (j === 0 ? 400 : 40)); // peers_out sometimes outgrows the exact form.
      return DistinctSketch.ofValues(Array.from({ length: n }, () => 1 + Math.floor(rnd() * 5000)));
    });
    hosts.set(host, { values, distinct });
  }
  return { start, length: W, probes, sequences: new Map(probes.map((p) => [p, start / W])), hosts };
}

function sum(windows: CompletedWindow[]): Map<string, HostStats> {
  const out = new Map<string, HostStats>();
  for (const w of windows) for (const [h, s] of w.hosts) {
    const acc = out.get(h);
    if (acc) addHost(acc, s);
    else out.set(h, copyHost(s));
  }
  return out;
}

async function rowsAt(store: HistoryStore, table: string, ts: number): Promise<Map<string, HostStats>> {
  const rows = (await store.reader.runAndReadAll(`SELECT addr, ${HOST_SELECT} FROM ${table} WHERE ts = ${ts}`)).getRows();
  return new Map(rows.map((r) => [addrHost(r[0] as bigint | null), readHost(r)]));
}

/** expectSame compares host statistics: values exactly, sketches by their sets or registers. */
function expectSame(actual: Map<string, HostStats>, expected: Map<string, HostStats>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [h, e] of expected) {
    const a = actual.get(h)!;
    expect([...a.values], h).toEqual([...e.values]);
    for (let j = 0; j < DISTINCT_COUNT; j++) {
      expect(a.distinct[j]?.exact ?? a.distinct[j]?.registers, `${h} sketch ${j}`).toEqual(e.distinct[j]?.exact ?? e.distinct[j]?.registers);
    }
  }
}

describe('HistoryStore', () => {
  let dir: string;
  let clock = T0;
  const open = (retention: Retention = DEFAULT_RETENTION) => HistoryStore.open({ dataDir: dir, windowMs: W, retention, clock: () => clock });
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hostflow-store-')); clock = T0; });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('rolls windows up into minutes and hours: sums equal, distinct counts the union of the windows', async () => {
    const store = await open();
    const rnd = random(7);
    const windows: CompletedWindow[] = [];
    for (let t = T0; t < T0 + 64 * MINUTE; t += W) windows.push(window(t, rnd));
    for (const w of windows) await store.write(w);
    for (const m of [T0, T0 + MINUTE, T0 + 2 * MINUTE, T0 + 30 * MINUTE]) {
      expectSame(await rowsAt(store, 'host_minute', m), sum(windows.filter((w) => w.start >= m && w.start < m + MINUTE)));
    }
    const hour = T0 + 2 * MINUTE;
    expectSame(await rowsAt(store, 'host_hour', hour), sum(windows.filter((w) => w.start >= hour && w.start < hour + HOUR)));
    expect((await rowsAt(store, 'host_hour', hour - HOUR)).size).toBeGreaterThan(0); // The two minutes before it.
    expect(store.stats).toMatchObject({ windowsWritten: 384, writeErrors: 0 });

    // Any range gives the same figures as the windows it covers, whichever levels answer it.
    const q = new HistoryQueries(store);
    for (const [from, to] of [[T0, T0 + 64 * MINUTE], [T0 + 25_000 - 5_000, T0 + 61 * MINUTE + 30_000], [hour, hour + HOUR]]) {
      const expected = sum(windows.filter((w) => w.start >= from && w.start < to));
      for (const metric of ['bytes_out', 'peers_out', 'last_seen'] as const) {
        const { hosts: top, exact } = await q.top(metric, 3, { from, to });
        expect(exact).toBe(true);
        const want = [...expected].map(([h, s]) => ({ h, s, k: statValue(s, metric) }))
          .sort((a, b) => b.k - a.k || (a.h < b.h ? -1 : 1)).slice(0, 3).map((e) => hostJson(e.h, e.s));
        expect(top, `${metric} over [${from}, ${to})`).toEqual(want);
      }
    }
    expect(q.segments({ from: hour, to: hour + HOUR }).map((s) => s.level)).toEqual([2]);
    await store.close();
  });

  it('continues after a restart: last window, sequences and the rollups in progress', async () => {
    const rnd = random(11);
    const windows: CompletedWindow[] = [];
    for (let t = T0; t < T0 + 5 * MINUTE; t += W) windows.push(window(t, rnd, ['a', 'b']));
    let store = await open();
    for (const w of windows.slice(0, 20)) await store.write(w); // Stops in the middle of minute 3.
    await store.close();
    store = await open();
    expect(store.completedUpTo).toBe(windows[19].start + W);
    expect(store.sequences.get('a')).toBe(windows[19].start / W);
    for (const w of windows.slice(20)) await store.write(w);
    expectSame(await rowsAt(store, 'host_minute', T0 + 3 * MINUTE), sum(windows.filter((w) => w.start >= T0 + 3 * MINUTE && w.start < T0 + 4 * MINUTE)));
    // The hour (from 01:00) holds minutes both before and after the restart.
    const q = new HistoryQueries(store);
    const { hosts: top } = await q.top('flows_out', 10, { from: T0, to: T0 + 5 * MINUTE });
    const expected = sum(windows);
    for (const row of top) expect(row.flows_out).toBe(expected.get(row.host)!.values[0]);
    await store.close();
  });

  it('gives series per step from the level that fits, null where nothing was written', async () => {
    const store = await open();
    const rnd = random(3);
    const windows: CompletedWindow[] = [];
    for (let t = T0; t < T0 + 4 * MINUTE; t += W) if (t !== T0 + MINUTE) windows.push(window(t, rnd));
    for (const w of windows) await store.write(w);
    const q = new HistoryQueries(store);
    const s = await q.series('10.0.0.1', { from: T0, to: T0 + 4 * MINUTE }, MINUTE, 1);
    expect(s.ts).toEqual([0, 1, 2, 3].map((i) => T0 + i * MINUTE));
    const perMinute = [0, 1, 2, 3].map((i) => sum(windows.filter((w) => w.start >= T0 + i * MINUTE && w.start < T0 + (i + 1) * MINUTE)).get('10.0.0.1'));
    expect(s.values.bytes_out).toEqual(perMinute.map((h) => h?.values[2] ?? 0));
    expect(s.values.peers_out).toEqual(perMinute.map((h) => h?.distinct[0]?.estimate() ?? 0));
    const windowsSeries = await q.series('10.0.0.1', { from: T0 + MINUTE - W, to: T0 + 2 * MINUTE }, W, 0);
    expect(windowsSeries.values.flows_out[1]).toBe(windows.find((w) => w.start === T0 + MINUTE) ? 0 : null); // The window not written.
    expect((await q.series('10.9.9.9', { from: T0, to: T0 + 4 * MINUTE }, MINUTE, 1)).ts).toEqual([]);
    const totals = await q.totals({ from: T0, to: T0 + 2 * MINUTE }, MINUTE, 1);
    const first = sum(windows.filter((w) => w.start < T0 + MINUTE));
    expect(totals.values.bytes[0]).toBe([...first.values()].reduce((a, h) => a + h.values[2], 0));
    expect(totals.values.hosts[0]).toBe([...first.keys()].filter((h) => h !== OVERFLOW_HOST).length);
    const heat = await q.heatmap(parseCidr('10.0.0.0/16')!, 128, 'bytes_out', { from: T0, to: T0 + 4 * MINUTE });
    const all = sum(windows);
    expect(heat.cell).toEqual([1, 2, 263]); // 10.0.0.1, 10.0.0.2, 10.0.1.7 on a 256 x 256 grid.
    expect(heat.value).toEqual(['10.0.0.1', '10.0.0.2', '10.0.1.7'].map((h) => all.get(h)!.values[2]));
    await store.close();
  });

  it('ranks a distinct count over many similar hosts by a bounded set of candidates, and says so', async () => {
    const store = await open();
    const rnd = random(13);
    const windows = [T0, T0 + W].map((start, k) => {
      const hosts = new Map<string, HostStats>();
      const add = (host: string, peers: number[]) => {
        hosts.set(host, { values: new Float64Array(HOST_FIELD_COUNT), distinct: [DistinctSketch.ofValues(peers), undefined, undefined, undefined] });
      };
      const hashes = (n: number, from: number) => Array.from({ length: n }, (_, v) => Math.imul(from + v + 1, 2654435761) >>> 0); // Distinct, spread like hashes.
      // 6,000 hosts of 160 peers a window: each one's sum over the two windows (320) reaches the second
      // largest single row (300), so each could be in the top 2 as far as the rows' bounds tell.
      for (let i = 0; i < 6000; i++) add(`10.1.${i >> 8}.${i & 255}`, hashes(160, 1e6 + Math.floor(rnd() * 1e9)));
      add('10.99.0.1', hashes(300, k * 300)); // 300 a window, 600 over both.
      if (k === 0) add('10.99.0.2', hashes(500, 10_000)); // 500 in one window.
      return { start, length: W, probes: ['p'], sequences: new Map([['p', k]]), hosts };
    });
    for (const w of windows) await store.write(w);
    const { hosts, exact } = await new HistoryQueries(store).top('peers_out', 2, { from: T0, to: T0 + 2 * W });
    expect(exact).toBe(false);
    expect(hosts.map((h) => h.host)).toEqual(['10.99.0.1', '10.99.0.2']);
    expect(hosts[0].peers_out).toBeGreaterThan(588); // The union of 600, HyperLogLog within 2 %.
    expect(hosts[0].peers_out).toBeLessThan(612);
    await store.close();
  });

  it('deletes each level past its retention (fake clock)', async () => {
    const store = await open({ window: 5 * MINUTE, minute: 30 * MINUTE, hour: 3 * HOUR });
    const rnd = random(5);
    for (let t = T0; t < T0 + 70 * MINUTE; t += W) await store.write(window(t, rnd));
    const count = async (table: string) => Number((await store.reader.runAndReadAll(`SELECT count(DISTINCT ts), min(ts) FROM ${table}`)).getRows()[0][0]);
    clock = T0 + 70 * MINUTE;
    await store.prune();
    expect(await count('host_window')).toBe(30); // 5 minutes of 10 s windows.
    expect(await count('host_minute')).toBe(30);
    expect(await count('host_hour')).toBe(2); // 00:00 (two minutes of it) and 01:00.
    clock = T0 + 5 * HOUR;
    await store.prune();
    expect(await count('host_hour')).toBe(0);
    await store.close();
  });
});
