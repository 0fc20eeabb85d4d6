import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readCapture, CaptureError } from '../../src/pcap/reader.js';
import { SOFTFLOWD_IPFIX_MS } from '../helpers/fixtures.js';

/** tshark lists source address and UDP payload length of every UDP packet: the independent reading. */
function tsharkUdp(file: string): string[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'udp', '-T', 'fields', '-e', 'ip.src', '-e', 'udp.length'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.trim().split('\n').map((line) => {
    const [src, length] = line.split('\t');
    return `${src} ${Number(length) - 8}`;
  });
}

describe('readCapture', () => {
  it('finds the same UDP datagrams as tshark, with the same sources and payload lengths', () => {
    const capture = readCapture(readFileSync(SOFTFLOWD_IPFIX_MS));
    expect(capture.datagrams.map((d) => `${d.source} ${d.payload.length}`)).toEqual(tsharkUdp(SOFTFLOWD_IPFIX_MS));
    expect(capture.datagrams[0].payload[1]).toBe(10); // IPFIX version.
    expect(capture.datagrams.every((d) => d.destinationPort === capture.datagrams[0].destinationPort)).toBe(true);
  });

  it('reads the same datagrams from the pcapng form of a capture (editcap)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostflow-pcapng-'));
    try {
      const ng = join(dir, 'capture.pcapng');
      execFileSync('editcap', ['-F', 'pcapng', SOFTFLOWD_IPFIX_MS, ng]);
      const a = readCapture(readFileSync(SOFTFLOWD_IPFIX_MS)).datagrams;
      const b = readCapture(readFileSync(ng)).datagrams;
      expect(b.length).toBe(a.length);
      for (let i = 0; i < a.length; i++) {
        expect(Buffer.from(b[i].payload).equals(Buffer.from(a[i].payload)), `datagram ${i}`).toBe(true);
        expect(Math.abs(b[i].timeMs - a[i].timeMs)).toBeLessThan(0.001);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a capture, and stops at a truncated record', () => {
    expect(() => readCapture(Buffer.from('hello world, not a pcap'))).toThrow(CaptureError);
    const whole = gunzipSync(readFileSync(SOFTFLOWD_IPFIX_MS));
    const cut = readCapture(whole.subarray(0, 5000));
    expect(cut.datagrams.length).toBeGreaterThan(0);
    expect(cut.skipped['truncated record']).toBe(1);
  });
});
