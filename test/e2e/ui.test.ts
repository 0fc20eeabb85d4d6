import { describe, it, expect, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { startHostflow, type Hostflow, tempDir } from '../helpers/processes.js';

describe('web UI of the all-in-one, fed by the demo replay', () => {
  let browser: Browser | undefined;
  let hostflow: Hostflow | undefined;
  afterAll(async () => {
    await browser?.close();
    await hostflow?.stop();
  });

  it('shows the top host 10.0.0.53 in the live table, sorted by bytes out, and totals for the window', async () => {
    hostflow = startHostflow(['--demo', '--http', '127.0.0.1:0', '--udp', '127.0.0.1:0', '--window', '1s', '--probe-id', 'ui', '--data', tempDir()]);
    const port = Number((await hostflow.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    browser = await launchBrowser();
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const table = page.locator('[data-testid="top-hosts"]');
    await table.locator('[data-host="10.0.0.53"]').first().waitFor({ timeout: 20_000 });
    // Rows are sorted by bytes out (the default), descending; read the exact figures in one snapshot.
    const sorted = await table.locator('tbody td.sorted').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('title')!.replace(/[^0-9]/g, ''))));
    expect(sorted.length).toBeGreaterThan(5);
    expect(sorted).toEqual([...sorted].sort((a, b) => b - a));
    // Every tile holds a figure; the window has flows and hosts in it.
    const tiles = await page.locator('hf-totals li[data-tile]').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-tile'), li.getAttribute('title')]));
    expect(tiles.map(([key]) => key)).toEqual(['bits', 'packets', 'flows', 'hosts']);
    for (const [key, title] of tiles) expect(Number(title!.replace(/[^0-9.]/g, '')), `${key}: ${title}`).toBeGreaterThan(0);
    // The exporter's health: the demo's softflowd export is unsampled IPFIX.
    const exporter = page.locator('[data-testid="exporters"] [data-exporter="127.0.0.1"]');
    await exporter.waitFor({ timeout: 20_000 });
    expect(await exporter.locator('[data-testid="sampling"]').innerText()).toBe('unsampled');
    expect(await exporter.locator('td').nth(2).innerText()).toBe('IPFIX');
  });
});
