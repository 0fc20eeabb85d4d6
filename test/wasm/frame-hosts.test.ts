import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { newCore } from '../helpers/core.js';
import { message, set, templateSet, templateRecord, ipv4, ipv6, uint, IE, type Field } from '../helpers/ipfix.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { readCaptureFile } from '../../src/pcap/reader.js';
import { FrameWriter, decodeFrame } from '../../src/protocol/frame.js';
import { closeWindowInto } from '../../src/probe/window-frame.js';
import type { FlowCore } from '../../src/wasm/core.js';
import { decodeCaptures } from '../../src/offline/decode.js';
import { portValue } from '../../src/protocol/port-values.js';
import { FIRST_SEEN, LAST_SEEN, SKETCH_EXACT_LIMIT } from '../../src/protocol/messages.js';

// The core writes a window's hosts in the wire form itself (assembly/table/frame-hosts.ts, through the
// probe's closeWindowInto); FrameWriter.host() writes the same form from the hosts read into JavaScript. Two cores fed the same datagrams must give the
// same frames, byte for byte, parts included.
const header = (sequence: number) => ({ probeId: 'p', windowStart: 1_700_000_000_000, windowLength: 10_000, sequence, stats: [3, 1] });

function framesByVisiting(core: FlowCore, partBytes: number): Uint8Array[] {
  const w = new FrameWriter(), frames: Uint8Array[] = [];
  let sequence = 1;
  w.begin(header(sequence));
  core.closeWindow((family, addr, off, values, distinct) => {
    if (w.full || w.size >= partBytes) { frames.push(w.finish(true)); w.begin(header(++sequence)); }
    w.host(family, addr, off, values, distinct);
  });
  frames.push(w.finish(false));
  return frames;
}

function framesEncodedInCore(core: FlowCore, partBytes: number): Uint8Array[] {
  const w = new FrameWriter(), frames: Uint8Array[] = [];
  let sequence = 1;
  w.begin(header(sequence));
  closeWindowInto(core, w, partBytes, () => { frames.push(w.finish(true)); w.begin(header(++sequence)); });
  frames.push(w.finish(false));
  return frames;
}

/** sameFrames feeds two cores the same datagrams, closing a window every perWindow, and compares. */
function sameFrames(datagrams: Uint8Array[], perWindow: number, partBytes: number, options = {}): number {
  const a = newCore({ templateLifetimeMs: 0, ...options }), b = newCore({ templateLifetimeMs: 0, ...options });
  let frames = 0;
  const close = () => {
    const want = framesByVisiting(a, partBytes), got = framesEncodedInCore(b, partBytes);
    expect(got.length).toBe(want.length);
    for (let i = 0; i < want.length; i++) expect(Buffer.compare(Buffer.from(got[i]), Buffer.from(want[i])), `frame ${frames + i}`).toBe(0);
    for (const f of got) decodeFrame(f); // And the merger's decoder takes them.
    frames += got.length;
  };
  datagrams.forEach((d, i) => {
    a.ingest(d, '192.0.2.1', 0);
    b.ingest(d, '192.0.2.1', 0);
    if ((i + 1) % perWindow === 0) close();
  });
  close();
  return frames;
}

describe('hosts encoded by the core', () => {
  for (const name of ['ipfix-ms', 'ipfix-biflow', 'ipfix-sampled', 'nfv5']) {
    it(`are FrameWriter's bytes for softflowd-${name}, as one window and in windows of 300 datagrams, in parts`, () => {
      const datagrams = readCaptureFile(join(FIXTURES, `softflowd/softflowd-${name}.pcap.gz`)).datagrams.map((d) => d.payload);
      expect(sameFrames(datagrams, Infinity, 8 << 20)).toBe(1);
      expect(sameFrames(datagrams, 300, 8 << 20)).toBeGreaterThan(1);
      expect(sameFrames(datagrams, Infinity, 50_000)).toBeGreaterThan(2); // Small parts: split at the same hosts.
      if (name === 'ipfix-sampled') expect(sameFrames(datagrams, Infinity, 10)).toBeGreaterThan(1000); // Parts smaller than a header: a host each.
    });
  }

  it('carry each host\'s local ports and times as its flows have them (version 2: ports as ports, times as offsets)', () => {
    const file = join(FIXTURES, 'softflowd/softflowd-ipfix-ms.pcap.gz');
    const ports = new Map<string, Set<number>>(), first = new Map<string, number>(), last = new Map<string, number>();
    decodeCaptures([file], (e) => {
      if (e.type !== 'flow' || !e.destination) return;
      const seen = (host: string) => {
        first.set(host, Math.min(first.get(host) ?? Infinity, e.startMs));
        last.set(host, Math.max(last.get(host) ?? 0, e.endMs));
      };
      seen(e.source!);
      seen(e.destination);
      if (![6, 17, 132].includes(e.protocolIdentifier!)) return;
      if (!ports.has(e.destination)) ports.set(e.destination, new Set());
      ports.get(e.destination)!.add(portValue(e.destinationTransportPort!));
    });
    const core = newCore({ templateLifetimeMs: 0 });
    for (const d of readCaptureFile(file).datagrams) core.ingest(d.payload, d.source, d.timeMs);
    const hosts = framesEncodedInCore(core, 8 << 20).flatMap((f) => decodeFrame(f).hosts);
    let compared = 0;
    for (const h of hosts) {
      expect([h.values[FIRST_SEEN], h.values[LAST_SEEN]], h.host).toEqual([Math.floor(first.get(h.host)!), Math.floor(last.get(h.host)!)]);
      const want = ports.get(h.host);
      if (!want || want.size > SKETCH_EXACT_LIMIT) continue;
      expect(new Set(h.distinct[3]!.exact!), h.host).toEqual(want);
      compared++;
    }
    expect(hosts.length).toBe(first.size);
    expect(compared).toBeGreaterThan(1000);
  });

  it('write the lowest and highest ports as ports', () => {
    const F: Field[] = [[IE.sourceIPv4Address, 4], [IE.destinationIPv4Address, 4], [IE.destinationTransportPort, 2], [IE.protocolIdentifier, 1], [IE.packetDeltaCount, 4]];
    const core = newCore();
    core.ingest(message(0, templateSet(templateRecord(256, F))), '192.0.2.1', 0);
    core.ingest(message(0, set(256, [65535, 0, 65534].flatMap((port) => [...ipv4('10.0.0.1'), ...ipv4('10.0.0.9'), port >> 8, port & 255, 17, ...uint(1, 4)]))), '192.0.2.1', 0);
    const [frame] = framesEncodedInCore(core, 8 << 20);
    // The port set: form 4, 3 ports and no other values: 0, then 65534 (gap 65533), then 65535 (gap 0).
    expect(Buffer.from(frame).toString('hex')).toContain('0403' + '00' + '00' + 'fdff03' + '00');
    const to = decodeFrame(frame).hosts.find((h) => h.host === '10.0.0.9')!;
    expect(new Set(to.distinct[3]!.exact!)).toEqual(new Set([portValue(0), portValue(65534), portValue(65535)]));
  });

  it('are FrameWriter\'s bytes for IPv6, sparse and dense HyperLogLog sets, huge counters and the overflow entry', () => {
    const F: Field[] = [[IE.sourceIPv6Address, 16], [IE.destinationIPv6Address, 16], [IE.sourceTransportPort, 2], [IE.destinationTransportPort, 2],
      [IE.protocolIdentifier, 1], [IE.tcpControlBits, 1], [IE.packetDeltaCount, 8], [IE.octetDeltaCount, 8], [IE.flowStartMilliseconds, 8], [IE.flowEndMilliseconds, 8]];
    const V4: Field[] = [[IE.sourceIPv4Address, 4], [IE.destinationIPv4Address, 4], [IE.protocolIdentifier, 1], [IE.packetDeltaCount, 4], [IE.octetDeltaCount, 4]];
    const datagrams: Uint8Array[] = [message(0, templateSet(templateRecord(256, F), templateRecord(257, V4)))];
    let s = 9;
    const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 4) % n; };
    const u16 = (v: number) => [v >> 8, v & 0xff];
    for (let d = 0; d < 1200; d++) {
      const body: number[] = [];
      for (let k = 0; k < 20; k++) {
        // One scanner touches 24,000 peers (dense registers), another 600 (sparse), the rest a few.
        const src = d < 1000 ? '2001:db8::1' : d < 1030 ? '2001:db8::2' : `2001:db8::${(3 + rnd(400)).toString(16)}`;
        const dst = `2001:db8:1::${(d * 20 + k).toString(16)}`;
        body.push(...ipv6(src), ...ipv6(dst), ...u16(rnd(65536)), ...u16(rnd(3000)), [6, 17, 1][rnd(3)], rnd(256),
          ...uint(2 ** 40 + rnd(1000), 8), ...uint(2 ** 52 + rnd(1e6), 8), ...uint(1_700_000_000_000 + rnd(10_000), 8), ...uint(1_700_000_010_000, 8));
      }
      datagrams.push(message(0, set(256, body)));
    }
    for (let d = 0; d < 100; d++) {
      datagrams.push(message(0, set(257, Array.from({ length: 20 }, (_, k) => [...ipv4(`10.0.${d}.${k}`), ...ipv4('10.9.9.9'), 17, ...uint(1, 4), ...uint(60, 4)]).flat())));
    }
    expect(sameFrames(datagrams, Infinity, 8 << 20)).toBe(1);
    expect(sameFrames(datagrams, Infinity, 8 << 20, { maxHosts: 1000 })).toBe(1); // With the overflow entry.
    expect(sameFrames(datagrams, 400, 30_000)).toBeGreaterThan(4);
  });
});
