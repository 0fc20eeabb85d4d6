import { describe, it, expect, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { getJson, startMerger, type Hostflow } from '../helpers/processes.js';
import { ROOT } from '../helpers/fixtures.js';

const running: Hostflow[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((h) => h.stop())); });

const PROCESSES = 4, PER_PROCESS = 25, HOSTS = 1000, POOL = 10_000;
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20); // LOAD_SECONDS=60 for a longer run (bench/README.md).

/** loadProbes bundles test/helpers/load-probes.ts and runs it: n probes of one process; resolves to what it sent. */
async function loadProbes(script: string, url: string, first: number): Promise<any> {
  const child = spawn(process.execPath, [script, url, String(first), String(PER_PROCESS), String(HOSTS), String(POOL), String(SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`load probes exited ${code}`);
  return JSON.parse(out);
}

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

describe('the merger under load', () => {
  it('keeps up with 100 probes each sending a window of 1,000 hosts every second: no growing lag, totals equal what was sent, memory flat', async () => {
    const script = join(ROOT, 'build', 'load-probes.mjs');
    await build({ entryPoints: [join(ROOT, 'test/helpers/load-probes.ts')], outfile: script, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error' });
    const m = await startMerger(running);
    const samples: { rss: number; pending: number }[] = [];
    const sampler = setInterval(async () => {
      const status = (await getJson(`${m.api}/status`)).body;
      samples.push({ rss: rssMb(m.h.proc.pid!), pending: status.pending_windows });
    }, 1000);
    const sent = await Promise.all(Array.from({ length: PROCESSES }, (_, p) => loadProbes(script, `ws://127.0.0.1:${m.port}/probe`, p * PER_PROCESS)));
    clearInterval(sampler);
    for (const s of sent) expect(s.acked).toBe(PER_PROCESS); // Every probe's last window acknowledged: written.
    const flows = sent.reduce((n, s) => n + s.flows, 0), octets = sent.reduce((n, s) => n + s.octets, 0);
    const from = Math.min(...sent.map((s) => s.firstWindow)), to = Math.max(...sent.map((s) => s.lastWindow)) + 1000;
    const totals = (await getJson(`${m.api}/totals?from=${from}&to=${to}&step=1000`)).body;
    const sum = (a: (number | null)[]) => a.reduce((n: number, v) => n + (v ?? 0), 0);
    expect(sum(totals.flows)).toBe(flows);
    expect(sum(totals.bytes)).toBe(octets);
    const status = (await getJson(`${m.api}/status`)).body;
    expect(status.frames).toMatchObject({ merged: PROCESSES * PER_PROCESS * SECONDS, late: 0, over_memory: 0 });
    expect(status.acks_dropped).toBe(0);
    console.log(`load: ${samples.length} samples, pending windows max ${Math.max(...samples.map((s) => s.pending))}, merger RSS ${samples.map((s) => s.rss.toFixed(0)).join(' ')} MB`);
    expect(Math.max(...samples.map((s) => s.pending))).toBeLessThanOrEqual(3); // The window in progress and its grace.
    // Flat after warm-up: the first third fills DuckDB's buffers and the heap, so the middle third is the baseline.
    const third = Math.max(1, Math.floor(samples.length / 3));
    const mean = (part: typeof samples) => part.reduce((n, s) => n + s.rss, 0) / part.length;
    const middle = mean(samples.slice(third, 2 * third)), late = mean(samples.slice(-third));
    expect(late).toBeLessThan(middle * 1.15 + 20);
  }, 60_000 + SECONDS * 3000);
});
