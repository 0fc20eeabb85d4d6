import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, poll, tempDir, freePort, startMerger, startProbe, sendDatagrams, type Hostflow } from '../helpers/processes.js';
import { SOFTFLOWD_IPFIX_MS } from '../helpers/fixtures.js';
import { allHosts, nfdumpMismatches } from '../helpers/history.js';
import { templatesOnly } from '../helpers/ipfix.js';
import { loadDatagrams } from '../../src/offline/replay.js';

const running: Hostflow[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((h) => h.stop())); });

const datagrams = loadDatagrams([SOFTFLOWD_IPFIX_MS]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** sendRange sends datagrams [from, to) of the capture to a UDP port. */
const sendRange = (port: number, from: number, to: number) => sendDatagrams(port, datagrams.slice(from, to).map((d) => d.payload));

async function killed(h: Hostflow): Promise<void> {
  h.proc.kill('SIGKILL');
  if (h.proc.exitCode === null && h.proc.signalCode === null) await new Promise((r) => h.proc.once('exit', r));
}

const spoolBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

describe('delivery from probe to merger', () => {
  it('sends the windows spooled before a probe crash after its restart, and shows the windows it missed', async () => {
    const port = await freePort();
    const spool = tempDir('hostflow-spool-');
    let merger = await startMerger(running, tempDir(), port);
    let probe = await startProbe(running, port, 'edge', ['--spool', spool]);
    await sendRange(probe.udp, 0, 600);
    await poll(async () => ((await getJson(`${merger.api}/status`)).body.history.windowsWritten > 0 ? true : undefined), 10_000, 'windows written');
    await killed(merger.h);
    // The merger is down: these windows close at the probe and wait in its spool (memory and disk).
    await sendRange(probe.udp, 600, 1100);
    await sleep(2000); // Every window with those records has closed.
    expect(spoolBytes(spool)).toBeGreaterThan(0);
    const probeKilledAt = Date.now();
    await killed(probe.h);
    await sleep(2500); // Windows in which no probe runs: missing, not zero.
    const probeRestartedAt = Date.now();
    merger = await startMerger(running, merger.data, port);
    probe = await startProbe(running, port, 'edge', ['--spool', spool]);
    expect(probe.h.log()).toMatch(/spool .*: \d+ frames not acknowledged before, to send again/);
    // A restarted probe knows no templates until the exporter sends them again: do what its refresh would.
    await sendDatagrams(probe.udp, [templatesOnly(datagrams[0].payload)!]);
    await sendRange(probe.udp, 1100, datagrams.length);
    // Nothing lost: the spooled windows arrived, and every host equals nfdump's sums.
    expect(nfdumpMismatches(await allHosts(merger.api))).toEqual([]);
    await poll(async () => (spoolBytes(spool) === 0 ? true : undefined), 10_000, 'the spool emptied by acknowledgements');
    // The windows the probe was down for are listed as missing; those it spooled are not.
    const w = (await getJson(`${merger.api}/probes/edge/windows?from=${probeKilledAt - 3000}&to=${probeRestartedAt + 500}`)).body;
    expect(w.window_ms).toBe(1000);
    const missing = w.missing as [number, number][];
    expect(missing.length).toBeGreaterThan(0);
    for (const [from, to] of missing) {
      expect(from).toBeGreaterThanOrEqual(Math.floor(probeKilledAt / 1000) * 1000 - 1000); // Not before the kill's window.
      expect(to).toBeLessThanOrEqual(probeRestartedAt + 2000);
    }
    expect(missing.reduce((n, [a, b]) => n + (b - a), 0)).toBeGreaterThanOrEqual(2000);
  });

  it('delivers everything after the link to the merger stalls for several windows', async () => {
    const merger = await startMerger(running);
    const probe = await startProbe(running, merger.port, 'stall');
    await sendRange(probe.udp, 0, 500);
    merger.h.proc.kill('SIGSTOP'); // The merger reads nothing: frames back up at the probe.
    await sendRange(probe.udp, 500, 1200);
    await sleep(3000);
    merger.h.proc.kill('SIGCONT');
    await sendRange(probe.udp, 1200, datagrams.length);
    const hosts = await allHosts(merger.api).catch(async (err) => {
      throw new Error(`${err}: ${JSON.stringify((await getJson(`${merger.api}/status`)).body.frames)} ${JSON.stringify((await getJson(`${merger.api}/exporters`)).body)}`);
    });
    expect(nfdumpMismatches(hosts)).toEqual([]);
    const probes = (await getJson(`${merger.api}/probes`)).body.probes;
    expect(probes[0]).toMatchObject({ probe: 'stall', frames_dropped: 0 });
  });

  it('keeps every window while the history\'s disk is full, and writes them once there is room again', async () => {
    // A real full disk: the merger's data directory on a small tmpfs (the tests run as root, as CI does).
    const data = tempDir('hostflow-full-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', data]);
    try {
      const merger = await startMerger(running, data);
      const probe = await startProbe(running, merger.port, 'full');
      await sendRange(probe.udp, 0, datagrams.length);
      const failing = await poll(async () => {
        const h = (await getJson(`${merger.api}/status`)).body.history;
        return h.writeErrors > 0 ? h : undefined;
      }, 30_000, 'writes failing on the full disk');
      expect(failing.lastError).toMatch(/No space left on device/);
      execFileSync('mount', ['-o', 'remount,size=256m', data]); // Room again: the same window is tried again.
      expect(nfdumpMismatches(await allHosts(merger.api, 90_000))).toEqual([]);
      expect((await getJson(`${merger.api}/status`)).body.history.retrying).toBe(false);
    } finally {
      await Promise.all(running.splice(0).map((h) => h.stop()));
      execFileSync('umount', ['-l', data]);
    }
  }, 150_000);
});
