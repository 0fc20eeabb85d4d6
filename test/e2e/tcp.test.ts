import { describe, it, expect, afterAll } from 'vitest';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { startHostflow, getJson, poll, type Hostflow, tempDir } from '../helpers/processes.js';
import { SOFTFLOWD_IPFIX_MS } from '../helpers/fixtures.js';
import { readCapture } from '../../src/pcap/reader.js';

describe('IPFIX over TCP (RFC 7011 10.4)', () => {
  const running: Hostflow[] = [];
  afterAll(async () => { await Promise.all(running.map((h) => h.stop())); });

  it('follows messages split across arbitrary TCP segments, and closes a session that is not IPFIX', async () => {
    const merger = startHostflow(['merger', '--http', '127.0.0.1:0', '--window', '1s', '--data', tempDir()]);
    running.push(merger);
    const httpPort = Number((await merger.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const probe = startHostflow(['probe', '--udp', '127.0.0.1:0', '--merger', `ws://127.0.0.1:${httpPort}/probe`, '--window', '1s', '--probe-id', 'tcp']);
    running.push(probe);
    const tcpPort = Number((await probe.waitFor(/and tcp 127\.0\.0\.1:(\d+)/))[1]);

    // The capture's messages as one byte stream, written in chunks of 1..3000 bytes.
    const stream = Buffer.concat(readCapture(readFileSync(SOFTFLOWD_IPFIX_MS)).datagrams.map((d) => d.payload));
    const socket = net.connect(tcpPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let seed = 5;
    for (let off = 0; off < stream.length;) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const n = 1 + (seed % 3000);
      socket.write(stream.subarray(off, off + n));
      off += n;
    }
    const garbage = net.connect(tcpPort, '127.0.0.1');
    await new Promise((r) => garbage.once('connect', r));
    garbage.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    const closed = await new Promise<boolean>((r) => { garbage.once('close', () => r(true)); setTimeout(() => r(false), 5000); });
    expect(closed).toBe(true);

    const bytes = await poll(async () => {
      const { body } = await getJson(`http://127.0.0.1:${httpPort}/api/hosts/top?limit=100000&from=0`);
      const sum = body.hosts.reduce((s: number, h: any) => s + h.bytes_out, 0);
      return sum === 29_959_236 ? sum : undefined;
    }, 30_000, 'every byte of the capture over TCP');
    expect(bytes).toBe(29_959_236);
    socket.end();
  });
});
