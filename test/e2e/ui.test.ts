// The web UI in a real browser (Debian's chromium through playwright-core) against the all-in-one fed by the
// demo replay of the softflowd capture. Screenshots of each view go to test-artifacts/ui/.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { startHostflow, startMerger, runHostflow, getJson, poll, type Hostflow, tempDir } from '../helpers/processes.js';
import { ROOT } from '../helpers/fixtures.js';

const ARTIFACTS = join(ROOT, 'test-artifacts', 'ui');
const running: Hostflow[] = [];
let browser: Browser;
let base = '';
let startedAt = 0;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  startedAt = Date.now();
  const h = startHostflow(['--demo', '--http', '127.0.0.1:0', '--udp', '127.0.0.1:0', '--window', '1s', '--probe-id', 'ui', '--data', tempDir()]);
  running.push(h);
  base = `http://127.0.0.1:${(await h.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]}`;
  browser = await launchBrowser();
  await poll(async () => ((await getJson(`${base}/api/hosts/top?limit=1`)).body.hosts?.length ? true : undefined), 20_000, 'the first window');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(running.splice(0).map((h) => h.stop()));
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(base + path);
  return page;
}
/** shot keeps a screenshot of the view and checks it with axe-core (WCAG 2 A and AA rules, shadow roots included). */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  await page.addScriptTag({ path: join(ROOT, 'node_modules/axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(c: Document, o: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations, `accessibility of ${name}`).toEqual([]);
}
const errorsOf = (page: Page) => (page as Page & { errors: string[] }).errors;
/** A range of written windows: from the start of the run to three seconds ago, as ISO times. */
const pastRange = () => {
  const to = Math.floor(Date.now() / 1000) * 1000 - 3000;
  return { from: new Date(startedAt - 60_000).toISOString(), to: new Date(to).toISOString() };
};

describe('the web UI', () => {
  it('updates the overview live, without reloading and without polling: tiles, top hosts, the last hour of totals', async () => {
    const page = await open('/');
    const table = page.locator('[data-testid="top-hosts"]');
    await table.locator('[data-host="10.0.0.53"]').first().waitFor({ timeout: 20_000 });
    const sorted = await table.locator('tbody td.sorted').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('title')!.replace(/[^0-9]/g, ''))));
    expect(sorted.length).toBeGreaterThan(5);
    expect(sorted).toEqual([...sorted].sort((a, b) => b - a)); // By bytes out (the default), descending.
    const tiles = await page.locator('hf-totals li[data-tile]').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-tile'), li.getAttribute('title')]));
    expect(tiles.map(([key]) => key)).toEqual(['bits', 'packets', 'flows', 'hosts']);
    for (const [key, title] of tiles) expect(Number(title!.replace(/[^0-9.]/g, '')), `${key}: ${title}`).toBeGreaterThan(0);
    // Live: the freshness badge and the totals series move on with each pushed window; no HTTP request meanwhile.
    const charts = page.locator('[data-testid="totals-charts"]');
    await poll(async () => (Number(await charts.getAttribute('data-points')) > 0 ? true : undefined), 10_000, 'the totals series');
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().includes('/api/live')) requests.push(r.url()); });
    const before = await page.locator('[data-testid="freshness"] .text').innerText();
    const points = Number(await charts.getAttribute('data-points'));
    await page.waitForTimeout(5000);
    expect(await page.locator('[data-testid="freshness"] .text').innerText()).not.toBe(before);
    expect(Number(await charts.getAttribute('data-points'))).toBeGreaterThanOrEqual(points + 3);
    expect(requests).toEqual([]); // Pushed, never polled.
    expect(await page.locator('[data-testid="probes-strip"] [data-probe="ui"]').innerText()).toMatch(/^ui: (● on time|! .+ behind)$/); // Behind only on a very slow machine.
    // Bits or bytes: the toggle (or the key u) switches the throughput, and the URL says it.
    await page.locator('[data-testid="units"]').click();
    await page.locator('hf-totals li[data-tile="bits"]', { hasText: 'Bytes/s' }).waitFor();
    expect(new URL(page.url()).searchParams.get('units')).toBe('bytes');
    await page.keyboard.press('u');
    await page.locator('hf-totals li[data-tile="bits"]', { hasText: 'Bits/s' }).waitFor();
    // Sorting by another statistic goes into the URL.
    await table.locator('th button', { hasText: 'packets in' }).click();
    expect(new URL(page.url()).search).toContain('metric=packets&dir=in');
    await table.locator('th button', { hasText: 'peers out' }).click(); // A distinct count too.
    expect(new URL(page.url()).search).toContain('metric=peers&dir=out');
    const peers = await table.locator('tbody td.sorted').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('title')!.replace(/[^0-9]/g, ''))));
    expect(peers.length).toBeGreaterThan(5);
    expect(peers).toEqual([...peers].sort((a, b) => b - a));
    await shot(page, 'overview');
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('zooms the heatmap from the /8 to a /16 to a host, whose detail shows the figures the API gives', async () => {
    const landing = await open('/map');
    await landing.waitForURL(/\/map\/10\.0\.0\.0\/8$/); // Where the hosts are: the campus capture's 10/8.
    await landing.close();
    const r = pastRange();
    const page = await open(`/map/10.0.0.0/8?from=${r.from}&to=${r.to}`);
    const canvas = page.locator('[data-testid="heatmap"]');
    await poll(async () => (Number(await canvas.getAttribute('data-seen')) > 0 ? true : undefined), 10_000, 'the /8 drawn');
    expect(await canvas.getAttribute('data-cells')).toBe('65536'); // Its /24s.
    await shot(page, 'heatmap-8');
    // Cell (row 0, column 0) of a /8 is 10.0.0.0/24; clicking it zooms to its /16.
    const clickCell = async (index: number, columns: number) => {
      const box = (await canvas.boundingBox())!;
      const cw = box.width / columns;
      await canvas.hover({ position: { x: (index % columns + 0.5) * cw, y: (Math.floor(index / columns) + 0.5) * cw } });
      return page.locator('[data-testid="cell-info"]').innerText().then(async (info) => {
        await canvas.click({ position: { x: (index % columns + 0.5) * cw, y: (Math.floor(index / columns) + 0.5) * cw } });
        return info;
      });
    };
    // The list view: the busiest cells as a table (the same data for a screen reader).
    await page.locator('[data-testid="cell-list"] summary').click();
    const firstRow = await page.locator('[data-testid="cell-list"] tbody tr').first().locator('td').allInnerTexts();
    expect(firstRow[0]).toMatch(/^10\.\d+\.\d+\.0\/24$/);
    const info = await clickCell(0, 256);
    expect(info).toContain('10.0.0.0/24');
    await page.waitForURL(/\/map\/10\.0\.0\.0\/16\?/);
    expect(await page.locator('[data-testid="current-prefix"]').innerText()).toBe('10.0.0.0/16');
    await poll(async () => (Number(await canvas.getAttribute('data-seen')) > 0 ? true : undefined), 10_000, 'the /16 drawn');
    // Stepping window by window pins the colour scale, so that colours compare across windows.
    const beforeStep = new URL(page.url()).searchParams;
    await page.locator('[data-testid="window-later"]').click();
    await page.waitForURL((u) => u.searchParams.has('max'));
    const stepped = new URL(page.url()).searchParams;
    expect(Date.parse(stepped.get('to')!) - Date.parse(stepped.get('from')!)).toBe(1000);
    expect(Date.parse(stepped.get('from')!)).toBe(Math.floor(Date.parse(beforeStep.get('from')!) / 1000) * 1000 + 1000); // From the range's first window.
    expect(await page.locator('[data-testid="pinned"]').innerText()).toMatch(/^scale pinned at /);
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has('max'));
    // The keyboard: arrows move the focus cell and say its figures; Backspace goes up and comes back.
    await canvas.focus();
    for (let i = 0; i < 53; i++) await page.keyboard.press('ArrowRight');
    expect(await page.locator('[data-testid="cell-info"]').innerText()).toContain('10.0.0.53');
    await page.keyboard.press('Backspace');
    await page.waitForURL(/\/map\/10\.0\.0\.0\/8\?/);
    await page.goBack();
    await page.waitForURL(/\/map\/10\.0\.0\.0\/16\?/);
    await poll(async () => (Number(await canvas.getAttribute('data-seen')) > 0 ? true : undefined), 10_000, 'the /16 again');
    await shot(page, 'heatmap-16');
    // The grid the canvas drew came as float32 cells; they are the JSON answer's values, densely.
    for (const prefix of ['10.0.0.0/16', '10.0.0.0/8']) {
      const q = `prefix=${prefix}&from=${Date.parse(r.from)}&to=${Date.parse(r.to)}`;
      const asJson = (await getJson(`${base}/api/heatmap?${q}`)).body;
      const bytes = await (await fetch(`${base}/api/heatmap?${q}&format=f32`)).arrayBuffer();
      const f32 = new Float32Array(bytes, 0, 65_536);
      expect(bytes.byteLength).toBe(prefix.endsWith('/16') ? 65_536 * 4 : 65_536 * 6);
      expect(asJson.cell.length).toBeGreaterThan(0);
      expect(f32.reduce((n, v) => (Number.isNaN(v) ? n : n + 1), 0)).toBe(asJson.cell.length);
      asJson.cell.forEach((c: number, i: number) => expect(f32[c]).toBe(Math.fround(asJson.value[i])));
      if (prefix.endsWith('/8')) {
        const hosts = new Uint16Array(bytes, 65_536 * 4, 65_536);
        asJson.cell.forEach((c: number, i: number) => expect(hosts[c]).toBe(asJson.hosts[i]));
      }
    }
    // Host 10.0.0.53: row 0, column 53 of the /16's 256 x 256 grid.
    let seriesUrl = '';
    page.on('request', (req) => { if (req.url().includes('/series?')) seriesUrl = req.url(); });
    const hostInfo = await clickCell(53, 256);
    expect(hostInfo).toMatch(/10\.0\.0\.53\n.*bytes out/);
    await page.waitForURL(/\/host\/10\.0\.0\.53\?/);
    expect(new URL(page.url()).searchParams.get('from')).toBe(r.from); // The range came along.
    const totals = page.locator('[data-testid="host-totals"]');
    await totals.waitFor({ timeout: 10_000 });
    await poll(async () => (seriesUrl ? true : undefined), 5000, 'the series request');
    const api = (await getJson(seriesUrl)).body;
    const sum = (a: (number | null)[]) => a.reduce<number>((n, v) => n + (v ?? 0), 0);
    expect(sum(api.bytes_out)).toBeGreaterThan(0);
    for (const field of ['bytes_out', 'bytes_in', 'flows_out', 'flows_in']) {
      const shown = Number((await totals.locator(`[data-field="${field}"]`).getAttribute('title'))!.replace(/,/g, ''));
      expect(shown, field).toBe(sum(api[field]));
    }
    // The heatmap's hover said the same bytes out as the detail.
    expect(Number(/([\d,]+) bytes out/.exec(hostInfo)![1]!.replace(/,/g, ''))).toBe(sum(api.bytes_out));
    await page.locator('hf-chart').first().waitFor();
    expect(await page.locator('hf-chart').count()).toBe(7);
    await shot(page, 'host');
    // Back to the map from the detail: its /16, the host marked and described.
    await page.locator('[data-testid="show-in-heatmap"]').click();
    await page.waitForURL(/\/map\/10\.0\.0\.0\/16\?v=1&sel=10\.0\.0\.53$/);
    await page.locator('[data-testid="cell-info"]', { hasText: '10.0.0.53' }).waitFor({ timeout: 10_000 });
    // The wheel zooms into the /24 under the pointer: 256 hosts as 16 x 16.
    const grid = page.locator('[data-testid="heatmap"]');
    const box = (await grid.boundingBox())!;
    await page.mouse.move(box.x + 53.5 * (box.width / 256), box.y + 0.5 * (box.width / 256));
    await page.mouse.wheel(0, -120);
    await page.waitForURL(/\/map\/10\.0\.0\.0\/24/);
    await poll(async () => ((await grid.getAttribute('data-cells')) === '256' ? true : undefined), 10_000, 'the /24');
    await shot(page, 'heatmap-24');
    expect(errorsOf(page)).toEqual([]);
    await page.close();
  });

  it('changes the series step with the range and granularity pickers, and a deep link restores the view', async () => {
    const page = await open('/host/10.0.0.53');
    const step = page.locator('[data-testid="step"]');
    await poll(async () => ((await step.getAttribute('data-step')) ? true : undefined), 10_000, 'the series');
    expect(await step.getAttribute('data-step')).toBe('6000'); // 1 h of 1 s windows: the window level, at most 600 points.
    await page.locator('button[data-range="24h"]').click();
    await poll(async () => ((await step.getAttribute('data-step')) === '180000' ? true : undefined), 10_000, 'minutes for a day');
    expect(await step.innerText()).toContain('1-min buckets');
    expect(new URL(page.url()).searchParams.get('from')).toBe('now-24h');
    await page.locator('[data-testid="granularity"]').selectOption('hour');
    await poll(async () => ((await step.getAttribute('data-step')) === '3600000' ? true : undefined), 10_000, 'hours');
    await page.locator('[data-testid="granularity"]').selectOption('window');
    await poll(async () => ((await step.getAttribute('data-step')) === '144000' ? true : undefined), 10_000, 'windows, as many as fit');
    // Compare: another host's series join every chart, dashed.
    const compare = page.locator('input[placeholder="address"]');
    await compare.fill('10.6.145.2');
    await compare.press('Enter');
    await page.locator('hf-chart [data-series="10.6.145.2 out"]').first().waitFor({ timeout: 10_000 });
    const link = page.url();
    expect(new URL(link).searchParams.get('gran')).toBe('window');
    expect(new URL(link).searchParams.get('cmp')).toBe('10.6.145.2');
    await shot(page, 'host-compare');
    // Copy link: the same view with the range as absolute times, for a ticket.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.locator('[data-testid="copy-link"]').click();
    const copied = new URL(await page.evaluate(() => navigator.clipboard.readText()));
    expect(copied.pathname).toBe('/host/10.0.0.53');
    expect(copied.searchParams.get('cmp')).toBe('10.6.145.2');
    expect(Date.parse(copied.searchParams.get('to')!) - Date.parse(copied.searchParams.get('from')!)).toBeGreaterThanOrEqual(86_400_000);
    expect(copied.searchParams.get('from')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    await page.goBack(); // Back undoes the last choices, the picker too.
    await page.goBack();
    await poll(async () => ((await step.getAttribute('data-step')) === '3600000' ? true : undefined), 10_000, 'back to hours');
    expect(await page.locator('[data-testid="granularity"]').inputValue()).toBe('hour');
    await page.close();
    const again = await open(new URL(link).pathname + new URL(link).search);
    await poll(async () => ((await again.locator('[data-testid="step"]').getAttribute('data-step')) === '144000' ? true : undefined), 10_000, 'the deep link');
    expect(await again.locator('[data-testid="granularity"]').inputValue()).toBe('window');
    await again.locator('hf-chart [data-series="10.6.145.2 out"]').first().waitFor({ timeout: 10_000 });
    expect(await again.locator('[data-testid="range-from"]').inputValue()).toBe('now-24h');
    // Moving the range: earlier pauses live with absolute times of the same length; back to live resumes.
    await again.locator('[data-testid="earlier"]').click();
    await again.locator('[data-testid="back-to-live"]').waitFor();
    const paused = new URL(again.url()).searchParams;
    expect(Date.parse(paused.get('to')!) - Date.parse(paused.get('from')!)).toBeGreaterThanOrEqual(86_400_000);
    expect(Date.now() - Date.parse(paused.get('to')!)).toBeGreaterThanOrEqual(86_000_000);
    await again.locator('[data-testid="back-to-live"]').click();
    await again.locator('[data-testid="live"]').waitFor();
    expect(new URL(again.url()).searchParams.get('to')).toBeNull();
    await again.locator('[data-testid="earlier"]').click(); // Earlier, then later: live again.
    await again.locator('[data-testid="back-to-live"]').waitFor();
    await again.locator('[data-testid="later"]').click();
    await again.locator('[data-testid="live"]').waitFor();
    // The search box: a prefix to its heatmap, an address to its detail.
    await again.locator('[data-testid="search"]').fill('10.0.0.0/16');
    await again.locator('[data-testid="search"]').press('Enter');
    await again.waitForURL(/\/map\/10\.0\.0\.0\/16$/);
    await again.locator('[data-testid="search"]').fill('not an address');
    await again.locator('[data-testid="search"]').press('Enter');
    expect(await again.locator('.search-error').innerText()).toContain('is not an address or a prefix');
    await again.close();
  });

  it('shows times in local time with its offset, or in UTC, as the viewer chose (kept across reloads)', async () => {
    const context = await browser.newContext({ timezoneId: 'Europe/Berlin' }); // UTC+01:00 in December.
    const page = await context.newPage();
    await page.goto(`${base}/`);
    const badge = page.locator('[data-testid="freshness"] .text');
    await badge.filter({ hasText: 'UTC+01:00' }).waitFor({ timeout: 10_000 });
    const local = /window (\d\d):\d\d:\d\d/.exec(await badge.innerText())![1]!;
    await page.locator('[data-testid="zone"]').click();
    await badge.filter({ hasText: /window \d\d:\d\d:\d\d UTC,/ }).waitFor();
    const utc = /window (\d\d):\d\d:\d\d/.exec(await badge.innerText())![1]!;
    expect((Number(local) - Number(utc) + 24) % 24).toBe(1);
    expect(await page.locator('hf-chart figcaption').first().innerText()).toContain('times UTC');
    await page.reload();
    await badge.filter({ hasText: /UTC,/ }).waitFor({ timeout: 10_000 }); // The choice is the viewer's, kept in the browser.
    expect(new URL(page.url()).search).toBe(''); // Not in the link: it does not change what a link shows.
    await context.close();
  });

  it('shows probe and exporter health with the reasons spelled out', async () => {
    const page = await open('/health');
    const exporter = page.locator('[data-testid="exporters"] [data-exporter="127.0.0.1"]');
    await exporter.waitFor({ timeout: 20_000 });
    expect(await exporter.locator('[data-testid="sampling"]').innerText()).toBe('unsampled');
    expect(await exporter.locator('td').nth(2).innerText()).toBe('IPFIX');
    expect(await page.locator('[data-probe="ui"] [data-testid="probe-state"]').innerText()).toContain('connected');
    await page.locator('[data-testid="findings"] li').first().waitFor();
    await shot(page, 'health');
    await page.close();
  });

  it('says "no data for this range" for a host the probes never saw', async () => {
    const page = await open('/host/192.0.2.1?from=now-5m');
    await page.locator('[data-testid="host-empty"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="host-empty"]').innerText()).toContain('No data for 192.0.2.1 in this range');
    await shot(page, 'host-empty');
    await page.goto(`${base}/map/10.0.0.0/8?metric=nonsense&from=now-5m`); // A bad parameter falls back, and says so.
    expect(await page.locator('.notice').innerText()).toBe('the heatmap cannot colour by "nonsense": showing bytes out');
    await poll(async () => (Number(await page.locator('[data-testid="heatmap"]').getAttribute('data-seen')) > 0 ? true : undefined), 10_000, 'the /8 by bytes out');
    await page.goto(`${base}/host/10.0.0.53?cmp=10.6.145.2,nonsense&gran=weird&from=soon`);
    expect(await page.locator('[data-testid="compare-notice"]').innerText()).toBe('not addresses, not compared: nonsense');
    expect(await page.locator('hf-host [role="note"]').allInnerTexts()).toEqual([
      'from="soon" is not a time (now, now-1h, or ISO): using now-1h', 'granularity="weird" is not window, minute or hour: using auto']);
    await page.goto(`${base}/map/2001:db8::/32`); // IPv6 zooms by nibbles; the capture has none.
    await page.locator('[data-testid="heatmap-empty"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('hf-heatmap nav li').allInnerTexts()).toEqual(['::/0', '2000::/8', '2001::/16', '2001:d00::/24', '2001:db8::/32']);
    await page.close();
  });
});

describe('signing in to the UI', () => {
  it('sends a page opened without a session to /login, and back to the same URL after', async () => {
    const dir = tempDir('hostflow-ui-users-');
    const line = (await runHostflow(['passwd', 'analyst'], 10_000, 'a long enough password\n')).output.trim();
    writeFileSync(join(dir, 'users'), `${line}\n`);
    const m = await startMerger(running, tempDir(), 0, ['--users', join(dir, 'users')]);
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${m.port}/host/10.0.0.53?from=now-1h`);
    await page.waitForURL(/\/login\?next=/);
    await page.locator('input[name="user"]').fill('analyst');
    await page.locator('input[name="password"]').fill('wrong');
    await page.locator('button[type="submit"]').click();
    expect(await page.locator('p[role="alert"]').innerText()).toBe('Wrong name or password.');
    await page.locator('input[name="user"]').fill('analyst');
    await page.locator('input[name="password"]').fill('a long enough password');
    await page.locator('button[type="submit"]').click();
    await page.waitForURL(/\/host\/10\.0\.0\.53\?from=now-1h$/);
    await page.locator('[data-testid="host-address"]').waitFor();
    await shot(page, 'signed-in');
    await page.close();
  });

  it('shows "merger unreachable, retrying" when the merger goes away, keeping what it showed', async () => {
    const m = await startMerger(running, tempDir(), 0, ['--window', '1s']);
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${m.port}/`);
    await page.locator('[data-testid="freshness"][data-state="open"]').waitFor({ timeout: 10_000 });
    await m.h.stop();
    await page.locator('[data-testid="freshness"][data-state="retrying"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('[data-testid="freshness"] .text').innerText()).toBe('merger unreachable, retrying');
    await shot(page, 'unreachable');
    await page.close();
  });
});
