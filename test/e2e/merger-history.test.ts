import { describe, it, expect, afterEach } from 'vitest';
import dgram from 'node:dgram';
import WebSocket from 'ws';
import { getJson, poll, tempDir, freePort, startMerger, startProbe, sendDatagrams, type Hostflow } from '../helpers/processes.js';
import { SOFTFLOWD_IPFIX_MS, hostOracleMismatches } from '../helpers/fixtures.js';
import { allHosts, nfdumpMismatches, SOFTFLOWD_TOTAL } from '../helpers/history.js';
import { loadDatagrams } from '../../src/offline/replay.js';
import { FrameWriter } from '../../src/protocol/frame.js';
import { templatesOnly } from '../helpers/ipfix.js';
import { FAMILY_IPV4, HOST_FIELD_COUNT } from '../../src/protocol/messages.js';

const TOTAL = SOFTFLOWD_TOTAL;
const running: Hostflow[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((h) => h.stop())); });

const merger = (data: string, port = 0) => startMerger(running, data, port);
const probe = async (mergerPort: number, id: string) => (await startProbe(running, mergerPort, id)).udp;

describe('the merger with its history', () => {
  it('gives the same per-host figures from two probes, each fed part of the capture, as from one fed all of it', async () => {
    const one = await merger(tempDir());
    const two = await merger(tempDir());
    const all = await probe(one.port, 'all');
    const halves = [await probe(two.port, 'half-a'), await probe(two.port, 'half-b')];
    const socket = dgram.createSocket('udp4');
    const send = (b: Uint8Array, port: number) => new Promise<void>((resolve, reject) => socket.send(b, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    // Data goes to the two halves in turn; a message with templates goes whole to one half and as its
    // templates alone to the other, so that both can decode what follows.
    const datagrams = loadDatagrams([SOFTFLOWD_IPFIX_MS]);
    for (const [i, d] of datagrams.entries()) {
      await send(d.payload, all);
      await send(d.payload, halves[i % 2]);
      const templates = templatesOnly(d.payload);
      if (templates) await send(templates, halves[(i + 1) % 2]);
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20));
    }
    socket.close();
    const whole = await allHosts(one.api);
    const split = await allHosts(two.api);
    expect(split.size).toBe(whole.size);
    const differ = [...whole].filter(([h, row]) => JSON.stringify(split.get(h)) !== JSON.stringify(row)).map(([h]) => h);
    expect(differ).toEqual([]);
    // Both probes saw the busy hosts: their distinct counts are unions, and match what tshark's decode gives.
    const mismatches = hostOracleMismatches(split);
    expect(mismatches.wrong.slice(0, 10)).toEqual([]);
    const probes = (await getJson(`${two.api}/probes`)).body.probes;
    expect(probes.map((p: any) => p.probe).sort()).toEqual(['half-a', 'half-b']);
    for (const p of probes) expect(p.records).toBeGreaterThan(TOTAL.flows / 3);
  });

  it('loses nothing and doubles nothing when the merger is killed mid-replay: the probe resends what was not acknowledged', async () => {
    const data = tempDir();
    // An explicit port (freePort): the restart binds it again while the killed merger's connections sit in TIME-WAIT.
    const first = await merger(data, await freePort());
    // A connected probe that never reports keeps each window open for its grace period (2 windows), so
    // that the kill finds frames merged but not yet written: only their resending can bring them back.
    const silent = new WebSocket(`ws://127.0.0.1:${first.port}/probe`, { headers: { 'hostflow-probe-id': 'silent' } });
    silent.on('error', () => undefined);
    await new Promise((resolve) => silent.once('open', resolve));
    const udp = await probe(first.port, 'kill');
    const datagrams = loadDatagrams([SOFTFLOWD_IPFIX_MS]);
    const sendSome = (from: number, to: number) => sendDatagrams(udp, datagrams.slice(from, to).map((d) => d.payload));
    await sendSome(0, 800);
    const written = await poll(async () => {
      const upTo = (await getJson(`${first.api}/status`)).body.history.completed_up_to;
      return upTo && (await getJson(`${first.api}/totals?from=${upTo - 60_000}&to=${upTo}&step=1000`)).body.bytes.some((b: number) => b > 0) ? upTo : undefined;
    }, 10_000, 'windows in the history');
    const before = (await getJson(`${first.api}/hosts/top?limit=100000&from=0&to=${written}`)).body.hosts;
    expect(before.length).toBeGreaterThan(0);
    await sendSome(800, 900);
    await new Promise((r) => setTimeout(r, 1200)); // The probe closes that window; the silent one holds it open.
    const pending = (await getJson(`${first.api}/status`)).body.pending_bytes;
    first.h.proc.kill('SIGKILL');
    await new Promise((r) => first.h.proc.once('exit', r));
    expect(pending).toBeGreaterThan(0);
    await sendSome(900, 1000); // While the merger is down: the probe queues these windows' frames.
    const second = await merger(data, first.port);
    expect(second.h.log()).toMatch(/history continues after/);
    await sendSome(1000, datagrams.length);
    // What was written before the kill is there as it was.
    expect((await getJson(`${second.api}/hosts/top?limit=100000&from=0&to=${written}`)).body.hosts).toEqual(before);
    // Nothing lost, nothing doubled: the probe resent what the killed merger had not acknowledged (written),
    // the restarted one dropped what it had, and every host equals nfdump's sums.
    const after = await allHosts(second.api);
    expect(nfdumpMismatches(after)).toEqual([]);
    expect(hostOracleMismatches(after).wrong.slice(0, 10)).toEqual([]);
    const uplink = await poll(async () => {
      const p = (await getJson(`${second.api}/probes`)).body.probes[0];
      return p?.uplink_frames_queued === 0 ? p : undefined;
    }, 10_000, 'every frame acknowledged');
    expect(uplink.frames_dropped).toBe(0);
  });

  it('counts a frame redelivered after a restart as a duplicate, not again', async () => {
    const data = tempDir();
    const start = Math.floor(Date.now() / 1000) * 1000 - 5000;
    const values = new Float64Array(HOST_FIELD_COUNT);
    values[0] = 3; values[1] = 30; values[2] = 3000;
    const w = new FrameWriter();
    w.begin({ probeId: 'redeliver', windowStart: start, windowLength: 1000, sequence: 7, stats: [] });
    w.host(FAMILY_IPV4, Uint8Array.from([10, 1, 2, 3]), 0, values);
    const frame = w.finish();
    const sendFrame = async (port: number) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/probe`);
      await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
      ws.send(frame);
      await new Promise((r) => setTimeout(r, 300));
      ws.close();
    };
    const first = await merger(data);
    await sendFrame(first.port);
    const url = (api: string) => `${api}/hosts/top?limit=10&from=${start}&to=${start + 1000}`;
    await poll(async () => ((await getJson(url(first.api))).body.hosts[0]?.bytes_out === 3000 ? true : undefined), 10_000, 'the window written');
    await first.h.stop();
    const second = await merger(data);
    await sendFrame(second.port);
    const status = await poll(async () => {
      const { body } = await getJson(`${second.api}/status`);
      return body.frames.duplicate === 1 ? body : undefined;
    }, 5000, 'the duplicate counted');
    expect(status.frames.merged).toBe(0);
    expect((await getJson(url(second.api))).body.hosts).toMatchObject([{ host: '10.1.2.3', flows_out: 3, bytes_out: 3000 }]);
    const metrics = await (await fetch(`http://127.0.0.1:${second.port}/metrics`)).text();
    expect(metrics).toMatch(/hostflow_merger_frames_total\{result="duplicate"\} 1/);
  });
});
