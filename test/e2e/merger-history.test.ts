import { describe, it, expect, afterEach } from 'vitest';
import dgram from 'node:dgram';
import { createServer } from 'node:net';
import WebSocket from 'ws';
import { startHostflow, getJson, poll, tempDir, type Hostflow } from '../helpers/processes.js';
import { SOFTFLOWD_IPFIX_MS, softflowdOracle, hostOracleMismatches } from '../helpers/fixtures.js';
import { loadDatagrams } from '../../src/offline/replay.js';
import { FrameWriter } from '../../src/protocol/frame.js';
import { FAMILY_IPV4, HOST_FIELD_COUNT } from '../../src/protocol/messages.js';

const TOTAL = { flows: 42_048, packets: 130_542, bytes: 29_959_236 };
const running: Hostflow[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((h) => h.stop())); });

async function merger(data: string, port = 0): Promise<{ h: Hostflow; port: number; api: string }> {
  const h = startHostflow(['merger', '--http', `127.0.0.1:${port}`, '--window', '1s', '--data', data]);
  running.push(h);
  const bound = Number((await h.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
  return { h, port: bound, api: `http://127.0.0.1:${bound}/api` };
}

async function probe(mergerPort: number, id: string): Promise<number> {
  const h = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--merger', `ws://127.0.0.1:${mergerPort}/probe`, '--window', '1s', '--probe-id', id]);
  running.push(h);
  return Number((await h.waitFor(/listening on udp 127\.0\.0\.1:(\d+)/))[1]);
}

/** freePort finds a TCP port that nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** templatesOnly is an IPFIX message cut after its template and options template sets (softflowd puts
 * them first), with the message length fixed: what a second probe needs to decode the data sent to it. */
function templatesOnly(m: Uint8Array): Uint8Array | undefined {
  let o = 16;
  while (o + 4 <= m.length && ((m[o] << 8) | m[o + 1]) <= 3) o += (m[o + 2] << 8) | m[o + 3];
  if (o === 16) return undefined;
  const cut = m.slice(0, o);
  cut[2] = o >> 8; cut[3] = o & 0xff;
  return cut;
}

/** allHosts reads every host of the history over the last hour, once the capture's bytes are all in. */
async function allHosts(api: string): Promise<Map<string, Record<string, number>>> {
  const rows = await poll(async () => {
    const { body } = await getJson(`${api}/hosts/top?metric=bytes_out&limit=100000&from=${Date.now() - 3600_000}`);
    return body.hosts.reduce((s: number, h: any) => s + h.bytes_out, 0) === TOTAL.bytes ? body.hosts : undefined;
  }, 30_000, 'all bytes of the capture in the history');
  return new Map(rows.map((h: any) => [h.host, h]));
}

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
    // An explicit port: uWS sets SO_REUSEADDR only then, and the restart must bind the port again while
    // the killed merger's connections sit in TIME-WAIT.
    const first = await merger(data, await freePort());
    // A connected probe that never reports keeps each window open for its grace period (2 windows), so
    // that the kill finds frames merged but not yet written: only their resending can bring them back.
    const silent = new WebSocket(`ws://127.0.0.1:${first.port}/probe`, { headers: { 'hostflow-probe-id': 'silent' } });
    silent.on('error', () => undefined);
    await new Promise((resolve) => silent.once('open', resolve));
    const udp = await probe(first.port, 'kill');
    const datagrams = loadDatagrams([SOFTFLOWD_IPFIX_MS]);
    const socket = dgram.createSocket('udp4');
    const send = (b: Uint8Array) => new Promise<void>((resolve, reject) => socket.send(b, udp, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    const sendSome = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await send(datagrams[i].payload);
        if (i % 25 === 24) await new Promise((r) => setTimeout(r, 20));
      }
    };
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
    socket.close();
    // What was written before the kill is there as it was.
    expect((await getJson(`${second.api}/hosts/top?limit=100000&from=0&to=${written}`)).body.hosts).toEqual(before);
    // Nothing lost, nothing doubled: the probe resent what the killed merger had not acknowledged (written),
    // the restarted one dropped what it had, and every host equals nfdump's sums.
    const after = await allHosts(second.api);
    const oracle = softflowdOracle();
    const wrong = [...new Set([...oracle.out.keys(), ...oracle.in.keys()])].filter((a) => {
      const h = after.get(a);
      const want = [...(oracle.out.get(a) ?? [0, 0, 0]), ...(oracle.in.get(a) ?? [0, 0, 0])];
      return JSON.stringify(h ? [h.flows_out, h.packets_out, h.bytes_out, h.flows_in, h.packets_in, h.bytes_in] : []) !== JSON.stringify(want);
    });
    expect(wrong).toEqual([]);
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
