// The merger's DuckDB history: rows written per second through the real store (one transaction per
// window, rollups included), then the latency of the API's queries over what was written.
// Usage: node bench/run.mjs history.ts [--hosts 100000] [--active 10000] [--hours 24] [--window 10] [--runs 5]
//   --hosts: the pool of addresses (10.x.y.z); --active: hosts in each window (a sliding part of the pool,
//   so every host appears over the run); --hours: history length; --window: seconds.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HistoryStore, DB_FILE } from '../src/merger/store/store.js';
import { HistoryQueries } from '../src/merger/store/queries.js';
import { DEFAULT_RETENTION } from '../src/shared/config.js';
import { parseCidr } from '../src/protocol/address.js';
import { HOST_FIELD_COUNT } from '../src/protocol/messages.js';
import { DistinctSketch } from '../src/protocol/sketch.js';
import type { CompletedWindow, HostStats } from '../src/merger/merge.js';

const { values: a } = parseArgs({ options: {
  hosts: { type: 'string', default: '100000' }, active: { type: 'string', default: '10000' },
  hours: { type: 'string', default: '24' }, window: { type: 'string', default: '10' }, runs: { type: 'string', default: '5' },
} });
const HOSTS = Number(a.hosts), ACTIVE = Math.min(Number(a.active), HOSTS), WINDOW = Number(a.window) * 1000;
const WINDOWS = Math.round((Number(a.hours) * 3600_000) / WINDOW), RUNS = Number(a.runs);
const T0 = Date.UTC(2026, 11, 1);

let seed = 1;
const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
const hostName = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const names = Array.from({ length: HOSTS }, (_, i) => hostName(i + 1));

/** window k: ACTIVE hosts from a sliding part of the pool, each with a few flows, peers and ports. */
function window(k: number): CompletedWindow {
  const hosts = new Map<string, HostStats>();
  const first = (k * Math.ceil(ACTIVE / 4)) % HOSTS;
  for (let i = 0; i < ACTIVE; i++) {
    const values = new Float64Array(HOST_FIELD_COUNT);
    const flows = 1 + rnd(20);
    values[0] = flows; values[1] = 3 * flows; values[2] = 900 * flows; values[3] = flows; values[4] = 2 * flows; values[5] = 400 * flows;
    values[6] = flows; values[30] = T0 + k * WINDOW + rnd(WINDOW / 2); values[31] = values[30] + rnd(WINDOW / 2);
    const peers = DistinctSketch.ofValues([1 + rnd(2 ** 31), 1 + rnd(2 ** 31), 1 + rnd(2 ** 31)]);
    const ports = DistinctSketch.ofValues([1 + rnd(2 ** 31), 1 + rnd(2 ** 31)]);
    hosts.set(names[(first + i) % HOSTS], { values, distinct: [peers, undefined, ports, undefined] });
  }
  return { start: T0 + k * WINDOW, length: WINDOW, probes: ['bench'], sequences: new Map([['bench', k]]), hosts };
}

const dir = mkdtempSync(join(tmpdir(), 'hostflow-history-'));
const store = await HistoryStore.open({ dataDir: dir, windowMs: WINDOW, retention: DEFAULT_RETENTION, clock: () => T0 + WINDOWS * WINDOW });
let writeMs = 0, makeMs = 0, slowest = 0;
for (let k = 0; k < WINDOWS; k++) {
  let t = performance.now();
  const w = window(k);
  makeMs += performance.now() - t;
  t = performance.now();
  await store.write(w);
  const ms = performance.now() - t;
  writeMs += ms;
  slowest = Math.max(slowest, ms);
  if (k % 360 === 359) process.stderr.write(`\r${k + 1}/${WINDOWS} windows`);
}
process.stderr.write('\n');
const rows = store.stats.rowsWritten;
const fileMb = statSync(join(dir, DB_FILE)).size / 2 ** 20;
console.log(`history: ${WINDOWS} windows of ${ACTIVE.toLocaleString('en')} hosts (pool ${HOSTS.toLocaleString('en')}), ${(WINDOW / 1000)} s windows, ${a.hours} h`);
console.log(`written: ${rows.toLocaleString('en')} host rows (windows, minutes, hours) in ${(writeMs / 1000).toFixed(1)} s = ${Math.round(rows / (writeMs / 1000)).toLocaleString('en')} rows/s; ` +
  `${(writeMs / WINDOWS).toFixed(1)} ms per window on average, ${slowest.toFixed(0)} ms the slowest (with its minute and hour rollup); file ${fileMb.toFixed(0)} MB`);

const q = new HistoryQueries(store);
const end = T0 + WINDOWS * WINDOW;
const day = { from: Math.max(T0, end - 24 * 3600_000), to: end };
const hour = { from: end - 3600_000, to: end };
const prefix16 = parseCidr('10.0.0.0/16')!, prefix8 = parseCidr('10.0.0.0/8')!;
const busy = names[Math.floor(HOSTS / 2)];
const queries: [string, () => Promise<unknown>][] = [
  ['top 10 by bytes_out, whole range', () => q.top('bytes_out', 10, day)],
  ['top 10 by peers_out, whole range', () => q.top('peers_out', 10, day)],
  ['top 10 by bytes_out, last hour', () => q.top('bytes_out', 10, hour)],
  ['top 10 by bytes_out, last window', () => q.top('bytes_out', 10, { from: end - WINDOW, to: end })],
  ['series of one host, whole range, 1 min step', () => q.series(busy, day, 60_000, 1)],
  ['series of one host, last hour, window step', () => q.series(busy, hour, WINDOW, 0)],
  ['totals, whole range, 1 min step', () => q.totals(day, 60_000, 1)],
  ['heatmap 10.0.0.0/16 (65,536 host cells), whole range', () => q.heatmap(prefix16, 128, 'bytes_out', day)],
  ['heatmap 10.0.0.0/8 (/24 cells), last hour', () => q.heatmap(prefix8, 120, 'bytes_out', hour)],
];
console.log('\n| query | median | slowest of ' + RUNS + ' |\n| --- | --- | --- |');
for (const [name, run] of queries) {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  console.log(`| ${name} | ${times[Math.floor(times.length / 2)].toFixed(0)} ms | ${times[times.length - 1].toFixed(0)} ms |`);
}
await store.close();
rmSync(dir, { recursive: true, force: true });
