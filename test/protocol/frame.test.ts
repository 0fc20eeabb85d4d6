import { describe, it, expect } from 'vitest';
import { FrameWriter, decodeFrame } from '../../src/protocol/frame.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { FAMILY_IPV4, FAMILY_IPV6, FAMILY_OVERFLOW, HOST_FIELD_COUNT, type WindowHeader } from '../../src/protocol/messages.js';
import { parseAddress } from '../../src/protocol/address.js';
import { hex } from '../helpers/fixtures.js';

const header: WindowHeader = { probeId: 'p1', windowStart: 10_000, windowLength: 10_000, sequence: 300, stats: [5, 0] };

/** full pads the first values of a host to every HOST_FIELDS entry. */
const full = (values: number[]) => [...values, ...new Array(HOST_FIELD_COUNT - values.length).fill(0)];

function frameOf(h: WindowHeader, hosts: [number, string | null, number[]][]): Uint8Array {
  const w = new FrameWriter();
  w.begin(h, hosts.length);
  for (const [family, text, values] of hosts) {
    const key = text ? parseAddress(text)! : new Uint8Array(16);
    w.host(family, key, family === FAMILY_IPV4 ? 12 : 0, full(values));
  }
  return w.finish();
}

function codeOf(bytes: Uint8Array): string | undefined {
  try {
    decodeFrame(bytes);
    return undefined;
  } catch (err) {
    if (err instanceof ProtocolError) return err.code;
    throw err;
  }
}

describe('FrameWriter and decodeFrame', () => {
  it('write the documented bytes for a small window', () => {
    const bytes = frameOf(header, [[FAMILY_IPV4, '10.0.0.1', [3, 0, 200, 0, 0, 0, 0, 0]]]);
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '48464c57' + '01' + '01' + '0000' + // magic, version, kind, flags
      '02' + '7031' + // probe id "p1"
      '904e' + '904e' + 'ac02' + // window start 10000, length 10000, sequence 300
      '02' + '05' + '00' + // two stats: 5, 0
      '00' + // no exporters
      '01' + // one host
      '04' + '0a000001' + '05' + '03' + 'c801', // IPv4 10.0.0.1, mask 0b101: flows_out 3, bytes_out 200
    );
    expect(decodeFrame(hex('48464c5701010000027031904e904eac020205000001040a0000010503c801'))).toMatchObject({
      probeId: 'p1', windowStart: 10_000, sequence: 300, stats: [5, 0], hosts: [{ host: '10.0.0.1' }],
    });
  });

  it('round-trip IPv4, IPv6, overflow entries and large values', () => {
    const big = 2 ** 53 - 1;
    const hosts: [number, string | null, number[]][] = [
      [FAMILY_IPV4, '192.0.2.7', [1, 2, 3, 4, 5, 6, ...new Array(24).fill(0).map((_, i) => i % 3), 1_700_000_000_000, 1_700_000_001_000]],
      [FAMILY_IPV6, '2001:db8::1', [0, 0, 0, 1, 1, big]],
      [FAMILY_OVERFLOW, null, [9, 9, 9]],
    ];
    const frame = decodeFrame(frameOf(header, hosts));
    expect(frame.hosts.map((h) => h.host)).toEqual(['192.0.2.7', '2001:db8::1', 'overflow']);
    expect(frame.hosts.map((h) => [...h.values])).toEqual(hosts.map(([, , v]) => full(v)));
  });

  it('round-trip the exporters\' counters', () => {
    const exporters = [{ address: '192.0.2.1', stats: [3, 0, 0, 40, 1] }, { address: '2001:db8::9', stats: [0, 7] }];
    expect(decodeFrame(frameOf({ ...header, exporters }, [])).exporters).toEqual(exporters);
  });

  it('refuse every truncation of a valid frame, and nothing else', () => {
    const bytes = frameOf({ ...header, exporters: [{ address: '192.0.2.1', stats: [1, 2] }] },
      [[FAMILY_IPV6, '2001:db8::1', [1, 2, 3, 4, 5, 6, 7, 8]], [FAMILY_IPV4, '10.0.0.2', [1, 0, 0, 0, 0, 0, 0, 0]]]);
    expect(codeOf(bytes)).toBeUndefined();
    for (let n = 0; n < bytes.length; n++) {
      const code = codeOf(bytes.subarray(0, n));
      expect(code, `cut at ${n}`).toMatch(/^PROTO_ERR_(TRUNCATED|TOO_MANY_HOSTS)$/);
    }
  });

  it('refuse bad magic, version, kind, family, window, varints and trailing bytes with their codes', () => {
    const good = frameOf(header, [[FAMILY_IPV4, '10.0.0.1', [1, 0, 0, 0, 0, 0, 0, 0]]]);
    const patch = (at: number, v: number) => { const b = Uint8Array.from(good); b[at] = v; return b; };
    expect(codeOf(patch(0, 0))).toBe('PROTO_ERR_BAD_MAGIC');
    expect(codeOf(patch(4, 2))).toBe('PROTO_ERR_BAD_VERSION');
    expect(codeOf(patch(5, 9))).toBe('PROTO_ERR_BAD_KIND');
    expect(codeOf(patch(8, 0))).toBe('PROTO_ERR_BAD_PROBE_ID');
    expect(codeOf(patch(22, 5))).toBe('PROTO_ERR_BAD_FAMILY'); // The first entry's family byte.
    expect(codeOf(Uint8Array.from([...good, 0]))).toBe('PROTO_ERR_TRAILING_BYTES');
    expect(codeOf(frameOf({ ...header, windowStart: 10_001 }, []))).toBe('PROTO_ERR_BAD_WINDOW');
    const longVarint = Uint8Array.from([...good.subarray(0, 11), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(codeOf(longVarint)).toBe('PROTO_ERR_BAD_VARINT');
    const manyHosts = Uint8Array.from(good.subarray(0, 22));
    manyHosts[21] = 0x7f; // 127 hosts announced in a frame with no room for them.
    expect(codeOf(manyHosts)).toBe('PROTO_ERR_TOO_MANY_HOSTS');
  });

  it('refuse 5,000 random frames without throwing anything but ProtocolError', () => {
    let seed = 99;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const good = frameOf(header, [[FAMILY_IPV4, '10.0.0.1', [1, 2, 3, 0, 0, 0, 0, 0]], [FAMILY_IPV6, '::1', [0, 0, 0, 1, 1, 1, 0, 0]]]);
    for (let i = 0; i < 5000; i++) {
      const b = Uint8Array.from(good);
      b[8 + Math.floor(random() * (b.length - 8))] = Math.floor(random() * 256);
      codeOf(b); // Must return (merged or refused), never throw another error.
    }
  });
});
