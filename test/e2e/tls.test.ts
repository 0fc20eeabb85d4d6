import { describe, it, expect, afterEach } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { poll, tempDir, startMerger, startHostflow, type Hostflow } from '../helpers/processes.js';

const running: Hostflow[] = [];
afterEach(async () => { await Promise.all(running.splice(0).map((h) => h.stop())); });

/** certificates makes, with openssl, a private CA and a certificate it signs for 127.0.0.1. */
function certificates(): { dir: string; ca: string; cert: string; key: string } {
  const dir = tempDir('hostflow-tls-');
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=hostflow test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext');
  return { dir, ca: join(dir, 'ca.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
}

function getTls(url: string, ca: Buffer): Promise<any> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

describe('TLS between probe and merger', () => {
  it('connects a probe that pins the merger\'s CA, refuses one that does not, and serves the API over HTTPS', async () => {
    const c = certificates();
    const m = await startMerger(running, tempDir(), 0, ['--tls-cert', c.cert, '--tls-key', c.key]);
    expect(m.api).toMatch(/^https:/);
    const ca = readFileSync(c.ca);
    const url = `wss://127.0.0.1:${m.port}/probe`;
    const trusting = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--merger', url, '--window', '1s', '--probe-id', 'pinned', '--ca', c.ca]);
    const doubting = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--merger', url, '--window', '1s', '--probe-id', 'unpinned']);
    running.push(trusting, doubting);
    const probes = await poll(async () => {
      const body = await getTls(`${m.api}/probes`, ca);
      return body.probes.some((p: any) => p.probe === 'pinned' && p.connected) ? body.probes : undefined;
    }, 15_000, 'the pinned probe connected');
    expect(probes.map((p: any) => p.probe)).toEqual(['pinned']);
    await doubting.waitFor(/certificate/i, 10_000); // It says why it cannot connect.
    expect((await getTls(`${m.api}/probes`, ca)).probes.map((p: any) => p.probe)).toEqual(['pinned']);
  });
});
