// The web UI's budgets, measured in Debian's chromium (headless, software rendering) against a real merger:
// bundle size; the heatmap's full redraw of 65,536 cells (forced to rasterise by a one-pixel readback);
// a dense /16's payload and the time from request to drawn grid; and the time from a window's completion
// at the merger (its last probe's frame sent) to the browser having rendered it.
// Usage: node bench/run.mjs ui.ts [--windows N] [--redraws N] [--smoke]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { launchBrowser } from '../test/helpers/browser.js';
import { startMerger, poll, getJson, type Hostflow } from '../test/helpers/processes.js';
import { ROOT } from '../test/helpers/fixtures.js';
import { connectFakeProbe } from '../test/helpers/fake-probe.js';

const args = process.argv.slice(2);
const flag = (name: string, def: number) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const SMOKE = args.includes('--smoke');
const WINDOWS = flag('--windows', SMOKE ? 5 : 50), REDRAWS = flag('--redraws', SMOKE ? 10 : 100);

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]!; };
const ms = (x: number) => `${x.toFixed(1)} ms`;

const js = readFileSync(join(ROOT, 'dist/web/main.js'));
console.log(`bundle dist/web/main.js: ${(js.length / 1024).toFixed(1)} KiB, ${(gzipSync(js).length / 1024).toFixed(1)} KiB gzip (everything: no code split)`);

const running: Hostflow[] = [];
const browser = await launchBrowser();
try {
  const m = await startMerger(running, undefined, 0, ['--window', '1s', '--max-probe-frames-per-second', '100000']);
  // One probe: every frame it sends completes its window at once.
  const probe = await connectFakeProbe(m.port, 'bench');
  const { ws } = probe;
  const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
  const frame = (k: number, hosts: number, third: number) => probe.frame(k, start + k * 1000, hosts, third);
  // A dense /16: all 65,536 hosts of 10.99.0.0/16 in window 1.
  ws.send(frame(1, 65_536, 99));
  await poll(async () => (probe.acked() >= 1 ? true : undefined), 60_000, 'the dense window written');
  const q = `prefix=10.99.0.0/16&metric=bytes_out&from=${start}&to=${start + 10_000}`;
  for (const format of ['json', 'f32']) {
    const body = await (await fetch(`http://127.0.0.1:${m.port}/api/heatmap?${q}&format=${format}`)).arrayBuffer();
    console.log(`/16 grid payload, ${format} (65,536 host cells, all with data): ${(body.byteLength / 1024).toFixed(0)} KiB (${(gzipSync(Buffer.from(body)).length / 1024).toFixed(0)} KiB if it were gzipped; it is not)`);
  }

  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await page.goto(`http://127.0.0.1:${m.port}/map/10.99.0.0/16?from=${new Date(start).toISOString()}&to=${new Date(start + 10_000).toISOString()}`);
  const t0 = Date.now();
  await page.waitForFunction(() => {
    const h = document.querySelector('hf-app')?.shadowRoot?.querySelector('hf-heatmap') as unknown as { shadowRoot: ShadowRoot } | null;
    return h && h.shadowRoot.querySelector('canvas.grid')?.getAttribute('data-seen') === '65536';
  }, undefined, { timeout: 30_000 });
  console.log(`open /map/10.99.0.0/16 to the grid drawn: ${Date.now() - t0} ms (page load, request, parse, first draw)`);
  // Drilling in: from the /8 (its /24 cells) to the dense /16, as a click does; until the new grid is drawn.
  const drills: number[] = [];
  const range = `from=${new Date(start).toISOString()}&to=${new Date(start + 10_000).toISOString()}`;
  for (let i = 0; i < (SMOKE ? 2 : 10); i++) {
    for (const [path, seen] of [['/map/10.0.0.0/8', '256'], ['/map/10.99.0.0/16', '65536']] as const) {
      drills.push(await page.evaluate(([url, want]) => new Promise<number>((resolve, reject) => {
        setTimeout(() => reject(new Error(`${url} not drawn with ${want} cells in 10 s`)), 10_000);
        const app = document.querySelector('hf-app') as unknown as { navigate(u: string): void; shadowRoot: ShadowRoot };
        const t = performance.now();
        app.navigate(url);
        const check = () => {
          const c = app.shadowRoot.querySelector('hf-heatmap')?.shadowRoot?.querySelector('canvas.grid');
          if (c?.getAttribute('data-seen') === want && !app.shadowRoot.querySelector('hf-heatmap')!.shadowRoot!.querySelector('.dim')) resolve(performance.now() - t);
          else requestAnimationFrame(check);
        };
        check();
      }), [`${path}?${range}`, seen] as const));
    }
  }
  console.log(`zoom between the /8 and the /16 (request, parse, scale, draw), ${drills.length} runs: median ${ms(pct(drills, 0.5))}, p90 ${ms(pct(drills, 0.9))}`);

  const redraw = (newScale: boolean) => page.evaluate(async ([n, fresh]) => {
    const h = document.querySelector('hf-app')!.shadowRoot!.querySelector('hf-heatmap') as unknown as { draw(): void; shadowRoot: ShadowRoot; scale: unknown };
    const canvas = h.shadowRoot.querySelector('canvas.grid') as HTMLCanvasElement;
    const ctx = canvas.getContext('2d')!;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      if (fresh) h.scale = undefined; // As for a new grid: the scale's percentile (a sort) again.
      h.draw();
      ctx.getImageData(0, 0, 1, 1); // Forces the draw to rasterise.
      times.push(performance.now() - t);
      await new Promise((r) => requestAnimationFrame(r));
    }
    return { times, size: canvas.width };
  }, [REDRAWS, newScale] as const);
  for (const fresh of [false, true]) {
    const draws = await redraw(fresh);
    console.log(`heatmap full redraw, 65,536 cells on a ${draws.size} px canvas (${fresh ? 'a new grid: log scale with its 99.5th percentile, ' : ''}colour table into ImageData, one drawImage, forced to rasterise), ${REDRAWS} runs: median ${ms(pct(draws.times, 0.5))}, p90 ${ms(pct(draws.times, 0.9))}, max ${ms(Math.max(...draws.times))}`);
  }

  // Window completion -> rendered: the overview, one window of 1,000 hosts at a time.
  await page.goto(`http://127.0.0.1:${m.port}/`);
  await page.waitForFunction(() => (document.querySelector('hf-app') as unknown as { live: { state: string } }).live.state === 'open');
  const latencies: number[] = [], writes: number[] = [];
  for (let k = 2; k < 2 + WINDOWS; k++) {
    const bytes = frame(k, 1000, k & 255);
    const seen = page.evaluate((want) => new Promise<number>((resolve) => {
      const app = document.querySelector('hf-app') as unknown as { live: { latest: { start: number } | null }; updateComplete: Promise<unknown> };
      const check = () => (app.live.latest?.start === want ? app.updateComplete.then(() => requestAnimationFrame(() => resolve(Date.now()))) : requestAnimationFrame(check));
      check();
    }), start + k * 1000);
    await new Promise((r) => setTimeout(r, 50)); // The page is watching before the frame goes.
    const sent = Date.now();
    ws.send(bytes);
    latencies.push((await seen) - sent);
    await poll(async () => (probe.acked() >= k ? true : undefined), 10_000, 'the window acknowledged');
    writes.push((await getJson(`${m.api}/status`)).body.history.lastWriteMs);
  }
  console.log(`window completed at the merger -> rendered in the browser (merge, DuckDB write, push, render; ${WINDOWS} windows of 1,000 hosts): median ${ms(pct(latencies, 0.5))}, p90 ${ms(pct(latencies, 0.9))}, max ${ms(Math.max(...latencies))}; of which the DuckDB write: median ${ms(pct(writes, 0.5))}, p90 ${ms(pct(writes, 0.9))}`);
  const status = (await getJson(`${m.api}/status`)).body;
  if (status.frames.merged !== 1 + WINDOWS) throw new Error(`merged ${status.frames.merged} frames, sent ${1 + WINDOWS}`);
  ws.close();
} finally {
  await browser.close();
  await Promise.all(running.map((h) => h.stop()));
}
