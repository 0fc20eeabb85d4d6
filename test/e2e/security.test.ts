import { describe, it, expect, afterEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { connect } from 'node:net';
import { request } from 'node:http';
import { connectFakeProbe } from '../helpers/fake-probe.js';
import { poll, tempDir, startMerger, startProbe, runHostflow, sendDatagrams, type Hostflow } from '../helpers/processes.js';
import { SOFTFLOWD_IPFIX_MS } from '../helpers/fixtures.js';
import { loadDatagrams } from '../../src/offline/replay.js';
import { FrameWriter } from '../../src/protocol/frame.js';
import { FAMILY_IPV4, HOST_FIELD_COUNT } from '../../src/protocol/messages.js';

const running: Hostflow[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((h) => h.stop())); });

const PROBE_TOKEN = 'edge-token-0123456789abcdef';
const API_TOKEN = 'api-token-0123456789abcdef';
const auth = { authorization: `Bearer ${API_TOKEN}` };

async function getAuthed(url: string): Promise<any> {
  const res = await fetch(url, { headers: auth });
  return res.json();
}

/** upgrade tries a probe connection and resolves to the HTTP status of a refusal, or 101 once open. */
function upgrade(port: number, headers: Record<string, string>, perMessageDeflate = true): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/probe`, { headers, perMessageDeflate });
    ws.once('unexpected-response', (_req, res) => { resolve({ status: res.statusCode ?? 0 }); ws.terminate(); });
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.on('error', () => undefined);
  });
}

async function secured(): Promise<{ port: number; api: string }> {
  const dir = tempDir('hostflow-secrets-');
  writeFileSync(join(dir, 'probes'), `# name=token\nedge=${PROBE_TOKEN}\n`);
  writeFileSync(join(dir, 'api'), `${API_TOKEN}\n`);
  const m = await startMerger(running, tempDir(), 0, ['--probe-tokens', join(dir, 'probes'), '--api-token-file', join(dir, 'api')]);
  return { port: m.port, api: m.api };
}

describe('who may talk to the merger', () => {
  it('lets in only probes with their token, one connection per probe id, and counts the others', async () => {
    const { port, api } = await secured();
    expect((await upgrade(port, { 'hostflow-probe-id': 'edge' })).status).toBe(401);
    expect((await upgrade(port, { 'hostflow-probe-id': 'edge', authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    expect((await upgrade(port, { 'hostflow-probe-id': 'intruder', authorization: `Bearer ${PROBE_TOKEN}` })).status).toBe(401);
    const probe = await startProbe(running, port, 'edge', ['--token', PROBE_TOKEN]);
    await poll(async () => ((await getAuthed(`${api}/probes`)).probes[0]?.connected ? true : undefined), 10_000, 'the probe connected');
    // Its token replayed on a second connection while it is connected.
    expect((await upgrade(port, { 'hostflow-probe-id': 'edge', authorization: `Bearer ${PROBE_TOKEN}` })).status).toBe(409);
    await sendDatagrams(probe.udp, loadDatagrams([SOFTFLOWD_IPFIX_MS]).slice(0, 100).map((d) => d.payload));
    await poll(async () => ((await getAuthed(`${api}/hosts/top?from=0`)).hosts.length > 0 ? true : undefined), 10_000, 'the probe\'s data');
    const status = await getAuthed(`${api}/status`);
    expect(status.probe_connections_refused).toEqual({ no_token: 1, bad_token: 2, probe_in_use: 1 });
    expect(status.frames.merged).toBeGreaterThan(0);
  });

  it('answers the UI and API only after sign-in: a Bearer header, or the session cookie /login sets for the token', async () => {
    const { port, api } = await secured();
    expect((await fetch(`${api}/status`)).status).toBe(401);
    const page = await fetch(`http://127.0.0.1:${port}/host/10.0.0.1?from=now-1h`, { redirect: 'manual' });
    expect(page.status).toBe(303); // A page goes to the sign-in, which comes back to it.
    expect(page.headers.get('location')).toBe('/login?next=%2Fhost%2F10.0.0.1%3Ffrom%3Dnow-1h');
    expect((await fetch(`${api}/status`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${api}/status`, { headers: auth })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/login?token=nope`, { redirect: 'manual' })).status).toBe(401);
    const login = await fetch(`http://127.0.0.1:${port}/login?token=${API_TOKEN}&next=/host/10.0.0.1`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/host/10.0.0.1');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^hostflow_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/);
    expect(cookie).not.toContain(API_TOKEN); // The cookie is a session id, not the token.
    const session = { cookie: cookie.split(';')[0] };
    expect((await fetch(`${api}/status`, { headers: session })).status).toBe(200);
    // No open redirect, no header split: a return path is printable ASCII on this site, else "/".
    for (const next of ['//evil.example/', '/\\evil.example/', '/\t/evil.example/', '/x\r\nSet-Cookie: planted=1', 'https://evil.example/']) {
      const evil = await fetch(`http://127.0.0.1:${port}/login?token=${API_TOKEN}&next=${encodeURIComponent(next)}`, { redirect: 'manual' });
      expect(evil.headers.get('location'), JSON.stringify(next)).toBe('/');
      expect(evil.headers.get('set-cookie'), JSON.stringify(next)).not.toContain('planted');
    }
    expect((await fetch(`http://127.0.0.1:${port}/login?logout`, { headers: session })).status).toBe(200);
    expect((await fetch(`${api}/status`, { headers: session })).status).toBe(401);
    // The live feed, from a page of another origin (another port is the same site to the cookie): refused.
    const liveFrom = (origin: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, { headers: { ...auth, origin } });
      ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
      ws.once('open', () => { resolve(101); ws.close(); });
      ws.on('error', () => undefined);
    });
    expect(await liveFrom(`http://127.0.0.1:${port}`)).toBe(101);
    expect(await liveFrom('http://127.0.0.1:1')).toBe(403);
    const live = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`);
      ws.once('unexpected-response', (_req, res) => { resolve(res.statusCode ?? 0); ws.terminate(); });
      ws.once('open', () => { resolve(101); ws.close(); });
      ws.on('error', () => undefined);
    });
    expect(live).toBe(401);
  });

  it('signs analysts in with a name and password from a users file (scrypt hashes made by hostflow passwd)', async () => {
    const made = await runHostflow(['passwd', 'alice'], 10_000, 'correct horse battery\n');
    expect(made.code).toBe(0);
    const line = made.output.trim();
    expect(line).toMatch(/^alice:scrypt\$N=32768,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/);
    expect(line).not.toContain('correct horse');
    const dir = tempDir('hostflow-users-');
    writeFileSync(join(dir, 'users'), `# analysts\n${line}\n`);
    writeFileSync(join(dir, 'probes'), `edge=${PROBE_TOKEN}\n`);
    const m = await startMerger(running, tempDir(), 0, ['--users', join(dir, 'users'), '--probe-tokens', join(dir, 'probes')]);
    const base = `http://127.0.0.1:${m.port}`;
    const form = await fetch(`${base}/login?next=/health`);
    expect(form.status).toBe(200);
    expect(await form.text()).toMatch(/name="password"[\s\S]*value="\/health"|value="\/health"[\s\S]*name="password"/);
    const post = (body: string) => fetch(`${base}/login`, { method: 'POST', body, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const wrong = await post('user=alice&password=wrong-password&next=%2Fhealth');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Wrong name or password.');
    expect((await post('user=mallory&password=correct+horse+battery')).status).toBe(401);
    const right = await post('user=alice&password=correct+horse+battery&next=%2Fhealth');
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/health');
    const session = { cookie: right.headers.get('set-cookie')!.split(';')[0] };
    expect((await fetch(`${m.api}/status`, { headers: session })).status).toBe(200);
    const status = await (await fetch(`${m.api}/status`, { headers: session })).json();
    expect(status.sign_ins).toEqual({ signIns: 1, failed: 2, throttled: 0 });
    // A HEAD of the token link signs nobody in; a form from another origin is refused.
    expect((await fetch(`${base}/login?user=alice&password=correct+horse+battery`, { method: 'HEAD' })).headers.get('set-cookie')).toBeNull();
    const foreign = await fetch(`${base}/login`, { method: 'POST', body: 'user=alice&password=correct+horse+battery', redirect: 'manual', headers: { origin: 'http://127.0.0.1:1', 'content-type': 'application/x-www-form-urlencoded' } });
    expect(foreign.status).toBe(403);
    // Guessing is limited per client address: 127.0.0.1 spends its attempts, 127.0.0.2 still signs in.
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => post(`user=alice&password=guess-${i}`).then((r) => r.status)));
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(await postFrom('127.0.0.2', m.port, 'user=alice&password=correct+horse+battery')).toBe(303);
    expect((await (await fetch(`${m.api}/status`, { headers: session })).json()).sign_ins.throttled).toBeGreaterThan(0);
    expect((await fetch(`${base}/login`, { method: 'POST', body: 'x'.repeat(9000), redirect: 'manual' })).status).toBe(413);
    // Beyond loopback, a users file stands in for the access token.
    const r = await runHostflow(['merger', '--http', '0.0.0.0:0', '--data', tempDir(), '--probe-tokens', join(dir, 'probes')]);
    expect(r.output).toMatch(/an access token \(--api-token-file FILE\) or a users file \(--users FILE\)/);
  });

  it('refuses to listen beyond loopback without probe tokens and an access token', async () => {
    const r = await runHostflow(['merger', '--http', '0.0.0.0:0', '--data', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/beyond loopback: it needs probe tokens .* and an access token/);
  });

  it('contains bad frames from a connected peer: garbage, a wrong version, an oversized one, one that inflates past the limit; the probe\'s data is unaffected', async () => {
    const m = await startMerger(running);
    const bad = await upgrade(m.port, {}, false);
    bad.ws!.send(Buffer.from('garbage, not a frame at all'));
    const values = new Float64Array(HOST_FIELD_COUNT);
    values[0] = 1; values[2] = 100;
    const w = new FrameWriter();
    w.begin({ probeId: 'bad', windowStart: Math.floor(Date.now() / 1000) * 1000, windowLength: 1000, sequence: 1, stats: [] });
    w.host(FAMILY_IPV4, Uint8Array.from([10, 9, 9, 9]), 0, values);
    const wrongVersion = w.finish();
    wrongVersion[4] = 99;
    const refused = new Promise<[number, string]>((resolve) => bad.ws!.once('close', (code, reason) => resolve([code, reason.toString()])));
    bad.ws!.send(wrongVersion); // A probe newer than the merger: closed with the reason.
    expect(await refused).toEqual([1008, 'frame PROTO_ERR_BAD_VERSION: version 99, expected 1..2: upgrade the merger first']);
    const big = await upgrade(m.port, {}, false);
    const closed = new Promise<number>((resolve) => big.ws!.once('close', (code) => resolve(code)));
    big.ws!.send(Buffer.alloc(17 << 20)); // Over the 16 MiB frame limit.
    expect(await closed).toBe(1006);
    // permessage-deflate: 17 MiB of zeros take 17 KB on the wire; the merger stops inflating at the limit.
    const bomb = await upgrade(m.port, {});
    expect(bomb.ws!.extensions).toBe('permessage-deflate');
    const bombClosed = new Promise<number>((resolve) => bomb.ws!.once('close', (code) => resolve(code)));
    bomb.ws!.send(Buffer.alloc(17 << 20));
    expect(await bombClosed).toBe(1006);
    const status = await poll(async () => {
      const s = await getAuthed(`${m.api}/status`);
      return s.probe_connections_closed?.too_big === 2 ? s : undefined;
    }, 5000, 'the oversized frames counted');
    expect(status.frames_refused).toMatchObject({ PROTO_ERR_BAD_MAGIC: 1, PROTO_ERR_BAD_VERSION: 1 });
    // A probe on the same merger goes on as if nothing happened.
    const probe = await startProbe(running, m.port, 'good');
    await sendDatagrams(probe.udp, loadDatagrams([SOFTFLOWD_IPFIX_MS]).slice(0, 50).map((d) => d.payload));
    await poll(async () => ((await getAuthed(`${m.api}/hosts/top?from=0`)).hosts.length > 0 ? true : undefined), 10_000, 'the good probe\'s data');
  });
});

/** postFrom posts a sign-in form from a given local address (any of 127/8 is loopback) and resolves to the status. */
function postFrom(localAddress: string, port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/login', method: 'POST', localAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the merger\'s limits', () => {
  it('closes a probe connection that sends frames faster than its limit, and counts it', async () => {
    const m = await startMerger(running, tempDir(), 0, ['--window', '1s', '--max-probe-frames-per-second', '10']);
    const p = await connectFakeProbe(m.port, 'hasty');
    const closed = new Promise<[number, string]>((resolve) => p.ws.once('close', (code, reason) => resolve([code, reason.toString()])));
    const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    for (let k = 1; k <= 40; k++) p.ws.send(p.frame(k, start + k * 1000, 50, 7));
    expect(await closed).toEqual([1008, 'over 10 frames per second']);
    const status = await getAuthed(`${m.api}/status`);
    expect(status.probes_over_rate).toBe(1);
    expect(status.frames.merged).toBe(20); // Two seconds of burst were read; the rest stay the probe's to resend.
  });

  it('closes a browser that stops reading /api/live once it is too far behind, counted; other readers and the probes go on', async () => {
    const m = await startMerger(running, tempDir(), 0, ['--window', '1s', '--max-probe-frames-per-second', '100000', '--live-max-buffer', '64k']);
    // The slow reader: a raw upgrade, then it never reads a byte.
    const slow = connect(m.port, '127.0.0.1');
    slow.write(`GET /api/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    slow.pause();
    let received = 0;
    const reader = new WebSocket(`ws://127.0.0.1:${m.port}/api/live`);
    reader.on('message', () => { received++; });
    await poll(async () => ((await getAuthed(`${m.api}/status`)).live_clients === 2 ? true : undefined), 5000, 'two live readers');
    const p = await connectFakeProbe(m.port, 'busy');
    const start = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    let sent = 0, status: any;
    for (let k = 1; k <= 3000; k++) {
      while (k - p.acked() > 20) await new Promise((r) => setTimeout(r, 2));
      p.ws.send(p.frame(k, start + k * 1000, 50, 7));
      sent = k;
      if (k % 50 === 0 && (status = await getAuthed(`${m.api}/status`)).live_clients_dropped > 0) break;
    }
    expect(status.live_clients_dropped).toBe(1);
    await poll(async () => (p.acked() === sent ? true : undefined), 10_000, 'every frame acknowledged');
    status = await getAuthed(`${m.api}/status`);
    expect(status.frames.merged).toBe(sent);
    expect(status.live_clients).toBe(1);
    expect(received).toBeGreaterThanOrEqual(sent - 2); // The reader that reads saw (nearly) every window.
    console.log(`slow live reader closed after ${sent} windows`);
    slow.destroy();
    reader.close();
  });
});
