import { describe, it, expect, afterAll } from 'vitest';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { startHostflow, startMerger, startProbe, runHostflow, getJson, poll, type Hostflow } from '../helpers/processes.js';
import { FIXTURES } from '../helpers/fixtures.js';

describe('the probe\'s own endpoint', () => {
  const running: Hostflow[] = [];
  afterAll(async () => { await Promise.all(running.map((h) => h.stop())); });

  it('shows each exporter\'s counters, the sampling rate applied, and Prometheus text', async () => {
    const probe = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--metrics', '127.0.0.1:0',
      '--merger', 'ws://127.0.0.1:9/probe', '--window', '1s', '--probe-id', 'metrics']); // No merger: frames queue.
    running.push(probe);
    const udpPort = Number((await probe.waitFor(/listening on udp 127\.0\.0\.1:(\d+)/))[1]);
    const metricsPort = Number((await probe.waitFor(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/))[1]);
    const replay = await runHostflow(['replay', join(FIXTURES, 'softflowd/softflowd-ipfix-sampled.pcap.gz'), '--to', `127.0.0.1:${udpPort}`, '--rate', '3000']);
    expect(replay.code, replay.output).toBe(0);

    const exporter = await poll(async () => {
      const { body } = await getJson(`http://127.0.0.1:${metricsPort}/exporters`);
      const e = body.exporters.find((x: any) => x.exporter === '127.0.0.1');
      return e?.packets_ipfix === 430 ? e : undefined;
    }, 10_000, 'the exporter\'s 430 datagrams');
    expect(exporter).toMatchObject({ records: 11_147, sampling_rate: 10, sampled_records: 11_147, templates_added: 5 });

    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/^hostflow_exporter_records_total\{exporter="127\.0\.0\.1"\} 11147$/m);
    expect(text).toMatch(/^hostflow_exporter_sampling_rate\{exporter="127\.0\.0\.1"\} 10$/m);
    expect(text).toMatch(/^hostflow_probe_uplink_connected 0$/m);
    // With the merger unreachable, closed windows wait in the uplink's queue.
    const status = await poll(async () => {
      const { body } = await getJson(`http://127.0.0.1:${metricsPort}/status`);
      return body.windowsClosed >= 1 ? body : undefined;
    }, 10_000, 'a closed window');
    expect(status.uplink.connected).toBe(false);
    expect(status.uplink.framesQueued).toBeGreaterThan(0);
  });

  it('sends its frames deflated to the merger, which merges them', async () => {
    const merger = await startMerger(running);
    const { h: probe, udp: udpPort } = await startProbe(running, merger.port, 'deflating', ['--metrics', '127.0.0.1:0']);
    const metricsPort = Number((await probe.waitFor(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/))[1]);
    const replay = await runHostflow(['replay', join(FIXTURES, 'softflowd/softflowd-ipfix-ms.pcap.gz'), '--to', `127.0.0.1:${udpPort}`, '--rate', '5000']);
    expect(replay.code, replay.output).toBe(0);
    const uplink = await poll(async () => {
      const { body } = await getJson(`http://127.0.0.1:${metricsPort}/status`);
      return body.uplink.framesAcked >= 1 && body.uplink.framesQueued === 0 ? body.uplink : undefined;
    }, 15_000, 'every frame acknowledged');
    expect(uplink.deflate).toBe(true);
    expect(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()).toMatch(/^hostflow_probe_uplink_deflate 1$/m);
    // The merger inflated them: its history holds the capture's bytes (29,959,236, nfdump's sum).
    const bytes = await poll(async () => {
      const { body } = await getJson(`${merger.api}/totals?from=${Date.now() - 600_000}&to=${Date.now() + 1000}&step=1000`);
      const sum = body.bytes.reduce((a: number, b: number | null) => a + (b ?? 0), 0);
      return sum === 29_959_236 ? sum : undefined;
    }, 15_000, 'the capture\'s bytes at the merger');
    expect(bytes).toBe(29_959_236);
  });

  it('counts the datagrams the kernel dropped while the probe could not read (a full receive buffer)', async () => {
    const probe = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--metrics', '127.0.0.1:0', '--udp-buffer', '64k',
      '--merger', 'ws://127.0.0.1:9/probe', '--window', '1s', '--probe-id', 'drops']);
    running.push(probe);
    const udpPort = Number((await probe.waitFor(/listening on udp 127\.0\.0\.1:(\d+)/))[1]);
    const metricsPort = Number((await probe.waitFor(/metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/))[1]);
    probe.proc.kill('SIGSTOP'); // It reads nothing: the socket's buffer fills and the kernel drops the rest.
    const socket = dgram.createSocket('udp4');
    const payload = Buffer.alloc(1000);
    payload.writeUInt16BE(10, 0); // IPFIX, but nothing a decoder would take: each is counted and rejected.
    const SENT = 2000;
    for (let i = 0; i < SENT; i++) await new Promise<void>((resolve, reject) => socket.send(payload, udpPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    socket.close();
    probe.proc.kill('SIGCONT');
    const status = await poll(async () => {
      const { body } = await getJson(`http://127.0.0.1:${metricsPort}/status`);
      return body.udpKernelDrops > 0 && body.core.datagrams + body.udpKernelDrops === SENT ? body : undefined;
    }, 10_000, 'received and dropped datagrams adding up to those sent');
    expect(status.core.datagrams).toBeGreaterThan(0);
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(new RegExp(`^hostflow_probe_udp_kernel_drops_total ${status.udpKernelDrops}$`, 'm'));
  });
});
