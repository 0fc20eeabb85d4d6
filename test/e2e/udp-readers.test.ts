import { describe, it, expect, afterAll } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { startHostflow, runHostflow, getJson, poll, type Hostflow } from '../helpers/processes.js';
import { SOFTFLOWD_IPFIX_MS, softflowdOracle, ROOT } from '../helpers/fixtures.js';
import { restMs } from '../../src/probe/batch-input.js';

// Both UDP readers of the probe on the same replay: the native one (recvmmsg batches into WASM memory,
// built by npm run build on Linux) and node:dgram; each must account every record as nfdump sums them.
describe('the probe\'s UDP readers', () => {
  const running: Hostflow[] = [];
  afterAll(async () => { await Promise.all(running.map((h) => h.stop())); });

  for (const reader of ['native', 'dgram'] as const) {
    it(`accounts every record of a replayed capture with the ${reader} reader`, async () => {
      const probe = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--metrics', '127.0.0.1:0', '--udp-reader', reader,
        '--merger', 'ws://127.0.0.1:9/probe', '--window', '60s', '--probe-id', `reader-${reader}`]);
      running.push(probe);
      const udpPort = Number((await probe.waitFor(new RegExp(`listening on udp 127\\.0\\.0\\.1:(\\d+) \\(${reader} reader`)))[1]);
      const metricsPort = Number((await probe.waitFor(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/))[1]);
      // As fast as the sender goes: the native reader then takes many datagrams per system call.
      const replay = await runHostflow(['replay', SOFTFLOWD_IPFIX_MS, '--to', `127.0.0.1:${udpPort}`, '--rate', '20000']);
      expect(replay.code, replay.output).toBe(0);
      const status = await poll(async () => {
        const { body } = await getJson(`http://127.0.0.1:${metricsPort}/status`);
        return body.core?.datagrams === 1581 ? body : undefined;
      }, 15_000, 'every datagram at the probe');
      const oracle = softflowdOracle();
      const flows = [...oracle.out.values()].reduce((s, [f]) => s + f, 0);
      expect(status.udpReader).toBe(reader);
      expect(status.core).toMatchObject({ records: flows, datagramsRejected: 0, setsNoTemplate: 0 });
      if (reader === 'native') expect(status.udpBatches).toBeGreaterThan(0);
      const exporters = (await getJson(`http://127.0.0.1:${metricsPort}/exporters`)).body.exporters;
      expect(exporters.map((e: any) => e.exporter)).toEqual(['127.0.0.1']);
    });
  }

  it('rests a millisecond for each 2 MiB of receive buffer the kernel granted, 1 to 3', () => {
    expect([416 << 10, 2 << 20, 4 << 20, 8 << 20, 64 << 20].map(restMs)).toEqual([1, 1, 2, 3, 3]);
  });

  it('reads a steady stream in batches: the native reader rests once it has emptied the socket', async () => {
    // udpblast (bench/tools) paces each datagram: 5,000 a second arrive 200 us apart. Watching the socket
    // without the rest wakes the probe for each of them (a batch a datagram); a rest of 1 ms or more lets
    // five or more gather. A loaded machine only makes the batches larger.
    const dir = mkdtempSync(join(tmpdir(), 'hostflow-rest-'));
    try {
      const blast = join(dir, 'udpblast'), pcap = join(dir, 'capture.pcap');
      const cc = spawnSync(process.env.CC ?? 'cc', ['-O2', '-o', blast, join(ROOT, 'bench/tools/udpblast.c')], { encoding: 'utf8' });
      expect(cc.status, cc.stderr).toBe(0);
      writeFileSync(pcap, gunzipSync(readFileSync(SOFTFLOWD_IPFIX_MS)));
      const probe = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--metrics', '127.0.0.1:0', '--udp-reader', 'native',
        '--merger', 'ws://127.0.0.1:9/probe', '--window', '60s', '--probe-id', 'reader-rest']);
      running.push(probe);
      const udpPort = Number((await probe.waitFor(/listening on udp 127\.0\.0\.1:(\d+) \(native reader/))[1]);
      const metricsPort = Number((await probe.waitFor(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/))[1]);
      const sent = spawnSync(blast, [pcap, '127.0.0.1', String(udpPort), '1581', '5000'], { encoding: 'utf8' });
      expect(sent.status, sent.stderr).toBe(0);
      const status = await poll(async () => {
        const { body } = await getJson(`http://127.0.0.1:${metricsPort}/status`);
        return body.core?.datagrams === 1581 ? body : undefined;
      }, 15_000, 'every datagram at the probe');
      expect(status.udpBatches).toBeLessThan(1581 / 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const reader of ['native', 'dgram'] as const) {
    it(`exits with a reason, instead of staying up with its UDP port bound, when a later listener cannot start (${reader} reader)`, async () => {
      const taken = createServer();
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
      const metricsPort = (taken.address() as AddressInfo).port;
      const probe = await runHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--udp-reader', reader, '--metrics', `127.0.0.1:${metricsPort}`,
        '--merger', 'ws://127.0.0.1:9/probe'], 15_000);
      taken.close();
      expect(probe.code, probe.output).toBe(1);
      expect(probe.output).toMatch(/EADDRINUSE/);
    });
  }

  it('gives a name in --udp to node:dgram and says so, and refuses it for --udp-reader native', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    const port = socket.address().port;
    socket.close();
    const auto = startHostflow(['probe', '--udp', `localhost:${port}`, '--tcp', 'off', '--merger', 'ws://127.0.0.1:9/probe']);
    running.push(auto);
    await auto.waitFor(/\(dgram reader: localhost is a name, not an address\)/);
    const native = await runHostflow(['probe', '--udp', `localhost:${port + 1}`, '--tcp', 'off', '--udp-reader', 'native', '--merger', 'ws://127.0.0.1:9/probe']);
    expect(native.code).toBe(1);
    expect(native.output).toMatch(/--udp-reader native: localhost is a name, not an address/);
  });

  it('makes what its callback throws an uncaught exception, instead of waking on a readable socket forever', () => {
    // The reader itself, in a child process: a callback that throws once.
    const script = `
      const reader = require(${JSON.stringify(join(ROOT, 'build/recvmmsg.node'))});
      const { handle, port } = reader.open('127.0.0.1', 0, 65536);
      let calls = 0;
      reader.watch(handle, () => { calls++; throw new Error('boom in the callback'); });
      process.on('uncaughtException', (e) => { console.log('uncaught: ' + e.message + ', calls: ' + calls); process.exit(0); });
      require('node:dgram').createSocket('udp4').send(Buffer.from('x'), port, '127.0.0.1');
      setTimeout(() => { console.log('no exception, calls: ' + calls); process.exit(1); }, 2000);`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    expect(r.stdout.trim()).toBe('uncaught: boom in the callback, calls: 1');
  });

  it('refuses an unknown --udp-reader with a reason', async () => {
    const probe = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--udp-reader', 'bogus', '--merger', 'ws://127.0.0.1:9/probe']);
    running.push(probe);
    await probe.waitFor(/--udp-reader must be auto, native or dgram, got "bogus"/);
  });
});
