import { describe, it, expect, afterAll } from 'vitest';
import dgram from 'node:dgram';
import { startHostflow, runHostflow, getJson, poll, type Hostflow, tempDir } from '../helpers/processes.js';
import { SOFTFLOWD_IPFIX_MS, softflowdOracle, hostOracleMismatches } from '../helpers/fixtures.js';
import { message, set, templateSet, templateRecord, BASIC_V4 } from '../helpers/ipfix.js';

const TOTAL = { flows: 42_048, packets: 130_542, bytes: 29_959_236 };

function sendUdp(port: number, payloads: Uint8Array[]): Promise<void> {
  const socket = dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    let left = payloads.length;
    for (const p of payloads) {
      socket.send(p, port, '127.0.0.1', (err) => {
        if (err) reject(err);
        if (--left === 0) socket.close(() => resolve());
      });
    }
  });
}

describe('probe and merger as separate processes on loopback', () => {
  const running: Hostflow[] = [];
  afterAll(async () => { await Promise.all(running.map((h) => h.stop())); });

  it('count malformed datagrams, keep running, and serve every host of a replayed capture as nfdump sums it', async () => {
    const merger = startHostflow(['merger', '--http', '127.0.0.1:0', '--window', '1s', '--data', tempDir()]);
    running.push(merger);
    const httpPort = Number((await merger.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const api = `http://127.0.0.1:${httpPort}`;
    const probe = startHostflow(['probe', '--udp', '127.0.0.1:0', '--merger', `ws://127.0.0.1:${httpPort}/probe`, '--window', '1s', '--probe-id', 'e2e']);
    running.push(probe);
    const udpPort = Number((await probe.waitFor(/listening on udp 127\.0\.0\.1:(\d+)/))[1]);

    // Malformed first: a truncated header, a set longer than its message, garbage, an unknown version (7).
    const valid = message(0, templateSet(templateRecord(256, BASIC_V4)));
    const setTooLong = Uint8Array.from([...message(0), 1, 0, 0xff, 0xff]);
    setTooLong[3] = 20; // Message length covers the set header, whose length runs far past it.
    const garbage = Uint8Array.from({ length: 600 }, (_, i) => (i * 7919) & 0xff);
    garbage[0] = 0; garbage[1] = 10;
    await sendUdp(udpPort, [valid.subarray(0, 9), setTooLong, garbage, Uint8Array.from([0, 7, 0, 1])]);

    const replay = await runHostflow(['replay', SOFTFLOWD_IPFIX_MS, '--to', `127.0.0.1:${udpPort}`, '--rate', '1000']); // 1.6 s: several 1 s windows.
    expect(replay.code, replay.output).toBe(0);
    expect(replay.output).toMatch(/sent 1581 datagrams/);

    const hosts = await poll(async () => {
      const { body } = await getJson(`${api}/api/hosts/top?metric=bytes_out&limit=100000&from=0`);
      const bytes = body.hosts.reduce((s: number, h: any) => s + h.bytes_out, 0);
      return bytes === TOTAL.bytes ? body.hosts : undefined;
    }, 30_000, 'all bytes of the capture at the merger');

    const oracle = softflowdOracle();
    const addresses = new Set([...oracle.out.keys(), ...oracle.in.keys()]);
    expect(hosts.length).toBe(addresses.size);
    const byHost = new Map<string, any>(hosts.map((h: any) => [h.host, h]));
    const mismatches: string[] = [];
    for (const a of addresses) {
      const h = byHost.get(a);
      const want = [...(oracle.out.get(a) ?? [0, 0, 0]), ...(oracle.in.get(a) ?? [0, 0, 0])];
      const got = h ? [h.flows_out, h.packets_out, h.bytes_out, h.flows_in, h.packets_in, h.bytes_in] : [];
      if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${a}: got ${got}, nfdump ${want}`);
    }
    expect(mismatches).toEqual([]);
    const sum = (k: string) => hosts.reduce((s: number, h: any) => s + h[k], 0);
    expect({ flows: sum('flows_out'), packets: sum('packets_out'), bytes: sum('bytes_out') }).toEqual(TOTAL);
    expect(hosts[0].host).toBe('10.0.0.53');
    // Every other statistic too, summed over the windows: flags and protocols add, first/last seen take the
    // min/max, and the windows' distinct-count sketches union (a peer seen in many windows counts once).
    const totals = (await getJson(`${api}/api/totals?from=${Date.now() - 7200_000}&to=${Date.now() + 1000}&step=${3600_000}`)).body;
    expect(totals.bytes.reduce((a: number, b: number | null) => a + (b ?? 0), 0)).toBe(TOTAL.bytes);
    const windows = (await getJson(`${api}/api/totals?from=${Date.now() - 60_000}&step=1000`)).body;
    expect(windows.bytes.filter((b: number | null) => b! > 0).length).toBeGreaterThan(1);
    const others = hostOracleMismatches(byHost);
    expect(others.wrong.slice(0, 10)).toEqual([]);
    expect(others.estimated).toBeGreaterThan(0);

    // The probe counted each malformed datagram by reason and kept going.
    const status = await poll(async () => {
      const { body } = await getJson(`${api}/api/status`);
      return body.probes?.e2e?.datagrams === 1581 + 4 ? body : undefined;
    }, 10_000, 'probe stats covering every datagram');
    expect(status.probes.e2e).toMatchObject({
      // The garbage's length field (0xdecd) runs past its 600 bytes: truncated, like the 9-byte header.
      connected: true, records: TOTAL.flows, datagrams_rejected: 4, err_truncated: 2, err_bad_set_length: 1, err_bad_version: 1,
    });
    expect(probe.log()).toMatch(/ipfix_err_truncated at byte 0/);
    // The exporter's health reaches the merger with the windows.
    const exporters = await poll(async () => {
      const { body } = await getJson(`${api}/api/exporters`);
      const e = body.exporters.find((x: any) => x.probe === 'e2e' && x.exporter === '127.0.0.1');
      return e?.records === TOTAL.flows ? e : undefined;
    }, 10_000, 'the exporter at /api/exporters');
    expect(exporters).toMatchObject({ packets_ipfix: 1581 + 3, rejected_truncated: 2, rejected_bad_version: 1, rejected_bad_set_length: 1, sampling_rate: 1 });
    expect(probe.proc.exitCode).toBe(null);
  });

  it('refuses a probe whose window length differs, tells it why, and does not wait for it', async () => {
    const merger = startHostflow(['merger', '--http', '127.0.0.1:0', '--window', '1s', '--data', tempDir()]);
    running.push(merger);
    const port = Number((await merger.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const probe = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--merger', `ws://127.0.0.1:${port}/probe`, '--window', '2s', '--probe-id', 'slow']);
    running.push(probe);
    await probe.waitFor(/refused this probe: window 2000 ms, this merger merges 1000 ms windows/, 10_000);
    const { body } = await getJson(`http://127.0.0.1:${port}/api/status`);
    expect(body.frames_refused.PROTO_ERR_WRONG_WINDOW).toBeGreaterThanOrEqual(1);
    expect(body.probes_connected).toEqual([]);
  });

  it('answers bad API parameters with HTTP 400 and a reason', async () => {
    const merger = startHostflow(['merger', '--http', '127.0.0.1:0', '--window', '1s', '--data', tempDir()]);
    running.push(merger);
    const port = Number((await merger.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const bad = await getJson(`http://127.0.0.1:${port}/api/hosts/top?metric=bogus`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/metric must be one of/);
    const badLimit = await getJson(`http://127.0.0.1:${port}/api/hosts/top?limit=-3`);
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error).toMatch(/limit/);
    const empty = await getJson(`http://127.0.0.1:${port}/api/hosts/top`);
    expect(empty).toEqual({ status: 200, body: { metric: 'bytes_out', from: null, to: null, hosts: [] } });
    const api = `http://127.0.0.1:${port}/api`;
    const refusals: [string, RegExp][] = [
      ['/hosts/top?from=10&to=5', /to \(5\) must be after from \(10\)/],
      ['/hosts/top?prefix=10.0.0.0/33', /prefix must be a CIDR/],
      ['/hosts/10.0.0.1/series?step=1500', /step must be a multiple of the window length \(1000 ms\)/],
      ['/hosts/10.0.0.1/series?from=0&to=100000000000&step=1000', /more than 100000/],
      ['/hosts/not-an-address/series', /is not an IPv4 or IPv6 address/],
      ['/heatmap', /prefix is required/],
      ['/heatmap?prefix=10.0.0.0/8&metric=nope', /metric must be one of/],
      ['/heatmap?prefix=10.0.0.0/8&format=png', /format must be json or f32, got "png"/],
      ['/totals?step=0', /step must be an integer/],
      ['/hosts/top?limit=1e3', /limit must be an integer/],
      ['/hosts/%ZZ/series', /not a valid URL path segment/],
      ['/probes/%E0%A4%A/windows', /not a valid URL path segment/],
    ];
    expect((await getJson(`${api}/probes/never-was/windows`)).status).toBe(404);
    // HEAD: the headers GET would give, its length included, and no body (the UI's page: the same bytes each time).
    const page = await fetch(`http://127.0.0.1:${port}/`);
    const head = await fetch(`http://127.0.0.1:${port}/`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length'), await head.text()]).toEqual([200, String((await page.arrayBuffer()).byteLength), '']);
    const put = await fetch(`${api}/status`, { method: 'PUT' });
    expect([put.status, put.headers.get('allow'), (await put.json()).error]).toEqual([405, 'GET, HEAD', 'PUT is not allowed here: GET, HEAD']);
    expect((await fetch(`http://127.0.0.1:${port}/favicon.ico`)).status).toBe(404); // Not the UI's page: not found.
    expect((await fetch(`http://127.0.0.1:${port}/map/10.0.0.0/8`)).status).toBe(200); // The UI's own paths get its page.
    for (const [path, message] of refusals) {
      const r = await getJson(api + path);
      expect(r.status, path).toBe(400);
      expect(r.body.error, path).toMatch(message);
    }
    const unknown = await getJson(`${api}/hosts/10.9.9.9/series?from=0&to=60000&step=1000`);
    expect(unknown).toMatchObject({ status: 200, body: { host: '10.9.9.9', ts: [], bytes_out: [] } });
  });
});
