import { describe, it, expect } from 'vitest';
import { FrameWriter, decodeFrame, encodeAck, decodeAck } from '../../src/protocol/frame.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { FAMILY_IPV4, FAMILY_IPV6, FAMILY_OVERFLOW, HOST_FIELD_COUNT, FIRST_SEEN, LAST_SEEN, SKETCH_REGISTERS, SKETCH_MAX_RANK, MAX_FRAME_REGISTER_SKETCHES, type WindowHeader } from '../../src/protocol/messages.js';
import { parseAddress } from '../../src/protocol/address.js';
import { portValue, portOf } from '../../src/protocol/port-values.js';
import { hex } from '../helpers/fixtures.js';

const header: WindowHeader = { probeId: 'p1', windowStart: 10_000, windowLength: 10_000, sequence: 300, stats: [5, 0] };

/** full pads the first values of a host to every HOST_FIELDS entry. */
const full = (values: number[]) => [...values, ...new Array(HOST_FIELD_COUNT - values.length).fill(0)];

function frameOf(h: WindowHeader, hosts: [number, string | null, number[]][]): Uint8Array {
  const w = new FrameWriter();
  w.begin(h);
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

/** SKETCH_FRAME: one IPv4 host with flows_out 3, bytes_out 200 and a peers_out sketch of two values. */
const SKETCH_FRAME = (() => {
  const w = new FrameWriter();
  w.begin(header);
  w.host(FAMILY_IPV4, parseAddress('10.0.0.1')!, 12, full([3, 0, 200]), [{ exact: [0x0a0b0c0d, 0, 0x01020304, 0] }]);
  return w.finish();
})();

describe('FrameWriter and decodeFrame', () => {
  it('write the documented bytes for a small window', () => {
    const bytes = frameOf(header, [[FAMILY_IPV4, '10.0.0.1', [3, 0, 200, 0, 0, 0, 0, 0]]]);
    expect(Buffer.from(bytes).toString('hex')).toBe(
      '48464c57' + '02' + '01' + '0000' + // magic, version, kind, flags
      '02' + '7031' + // probe id "p1"
      '904e' + '904e' + 'ac02' + // window start 10000, length 10000, sequence 300
      '02' + '05' + '00' + // two stats: 5, 0
      '00' + // no exporters
      '818000' + // one host (a varint padded to 3 bytes: the writer fills it in last)
      '04' + '0a000001' + '05' + '03' + 'c801', // IPv4 10.0.0.1, mask 0b101: flows_out 3, bytes_out 200
    );
    expect(decodeFrame(hex('48464c5702010000027031904e904eac020205000001040a0000010503c801'))).toMatchObject({
      probeId: 'p1', windowStart: 10_000, sequence: 300, stats: [5, 0], hosts: [{ host: '10.0.0.1' }],
    });
  });

  it('write the times as offsets: first seen from the window start, last seen from first seen', () => {
    const start = 1_700_000_000_000;
    const bytes = frameOf({ ...header, windowStart: start }, [
      [FAMILY_IPV4, '10.0.0.1', full([1]).map((v, i) => (i === FIRST_SEEN ? start + 1500.7 : i === LAST_SEEN ? start + 1600 : v))],
      [FAMILY_IPV4, '10.0.0.2', full([1]).map((v, i) => (i === FIRST_SEEN ? start - 2 : i === LAST_SEEN ? start - 3 : v))],
      [FAMILY_IPV4, '10.0.0.3', full([1]).map((v, i) => (i === LAST_SEEN ? start + 1 : v))],
    ]);
    const hosts = Buffer.from(bytes.subarray(bytes.length - 40)).toString('hex'); // The three entries.
    expect(hosts).toBe(
      '040a000001' + '818080800c' + '01' + 'b817' + 'c801' + // mask bits 0, 30, 31: flows 1, first +1500 (zigzag 3000), last +100 (200)
      '040a000002' + '818080800c' + '01' + '03' + '01' + // first -2 (zigzag 3), last -1 from it (1)
      '040a000003' + '8180808008' + '01' + '02', // no first seen: last +1 from the window start (2)
    );
    const decoded = decodeFrame(bytes).hosts.map((h) => [h.values[FIRST_SEEN], h.values[LAST_SEEN]]);
    expect(decoded).toEqual([[start + 1500, start + 1600], [start - 2, start - 3], [0, start + 1]]);
  });

  it('read a version 1 frame, whose times are epoch ms and whose port sets are values, as a spool may hold', () => {
    // Version 1, window 10000: 10.0.0.1 with flows_out 1, first seen 5, last seen 7 and a local_ports_in set of value 0x01020304.
    const v1 = hex('48464c5701010000027031904e904eac0202050000' + '01' + '040a000001' +
      '818080808c01' + '01' + '05' + '07' + // mask bits 0, 30, 31 and 35; flows_out 1, first seen 5, last seen 7
      '0101' + '01020304'); // exact form, one value
    const [h] = decodeFrame(v1).hosts;
    expect([h.values[0], h.values[FIRST_SEEN], h.values[LAST_SEEN]]).toEqual([1, 5, 7]);
    expect([...h.distinct[3]!.exact!]).toEqual([0x01020304]);
  });

  it('write a host\'s sketch after its values, flagged in the presence mask', () => {
    expect(Buffer.from(SKETCH_FRAME).toString('hex')).toBe(
      '48464c570201000002703190' + '4e904eac020205000081800004' + '0a000001' +
      '8580808010' + // mask: flows_out, bytes_out, and bit 32: the peers_out sketch
      '03' + 'c801' + // flows_out 3, bytes_out 200
      '01' + '02' + '0a0b0c0d' + '01020304', // exact form, 2 values
    );
    const [h] = decodeFrame(SKETCH_FRAME).hosts;
    expect([...h.distinct[0]!.exact!]).toEqual([0x01020304, 0x0a0b0c0d]);
    expect(h.distinct.slice(1)).toEqual([undefined, undefined, undefined]);
  });

  it('write port sets as their ports, ascending, and a value no port has as itself', () => {
    const w = new FrameWriter();
    w.begin(header);
    w.host(FAMILY_IPV4, parseAddress('10.0.0.1')!, 12, full([1]), [undefined, undefined, undefined, { exact: [portValue(443), 0, 0x01020304, portValue(80)] }]);
    const bytes = w.finish();
    expect(Buffer.from(bytes.subarray(bytes.length - 10)).toString('hex')).toBe(
      '04' + '02' + '01' + '50' + 'ea02' + '01020304', // ports form: 2 ports, 1 value; 80, then 443 (gap 362); the value
    );
    const [h] = decodeFrame(bytes).hosts;
    expect([...h.distinct[3]!.exact!].sort()).toEqual([portValue(80), portValue(443), 0x01020304].sort());
    expect(portOf(portValue(8080))).toBe(8080);
    expect(portOf(0x01020304)).toBe(-1);
    // Refused: a port past 65535, no values, more than 256, a port and its own value, a value of 0, the
    // ports form for a set of addresses or in a version 1 frame, a time before 1970.
    const entry = bytes.length - 10;
    const withSet = (...set: number[]) => Uint8Array.from([...bytes.subarray(0, entry), ...set]);
    expect(codeOf(withSet(4, 1, 0, 0x80, 0x80, 0x04))).toBe('PROTO_ERR_BAD_SKETCH'); // port 65536
    expect(codeOf(withSet(4, 1, 0, 0xff, 0xff, 0x03))).toBeUndefined(); // port 65535
    expect(codeOf(withSet(4, 0, 0))).toBe('PROTO_ERR_BAD_SKETCH');
    expect(codeOf(withSet(4, 0x81, 0x02, 0, ...new Array(257).fill(0)))).toBe('PROTO_ERR_BAD_SKETCH');
    const v80 = portValue(80);
    expect(codeOf(withSet(4, 1, 1, 80, v80 >>> 24, (v80 >>> 16) & 255, (v80 >>> 8) & 255, v80 & 255))).toBe('PROTO_ERR_BAD_SKETCH');
    expect(codeOf(withSet(4, 0, 1, 0, 0, 0, 0))).toBe('PROTO_ERR_BAD_SKETCH');
    w.begin(header);
    w.host(FAMILY_IPV4, parseAddress('10.0.0.1')!, 12, full([1]), [{ exact: [0x01020304] }]);
    const peers = w.finish(); // Ends with the peers_out set: exact form, 1 value.
    expect(codeOf(peers)).toBeUndefined();
    expect(codeOf(Uint8Array.from([...peers.subarray(0, peers.length - 6), 4, 0, 1, 1, 2, 3, 4]))).toBe('PROTO_ERR_BAD_SKETCH');
    const v1 = Uint8Array.from(bytes);
    v1[4] = 1;
    expect(codeOf(v1)).toBe('PROTO_ERR_BAD_SKETCH');
    const beforeEpoch = frameOf(header, [[FAMILY_IPV4, '10.0.0.1', full([1]).map((v, i) => (i === FIRST_SEEN ? 1 : v))]]);
    expect(codeOf(beforeEpoch)).toBeUndefined();
    beforeEpoch[beforeEpoch.length - 2] = 0x9f; // First seen's offset 9d 9c 01 (-9,999) becomes 9d 9f 01 (-10,191): before 1970.
    expect(codeOf(beforeEpoch)).toBe('PROTO_ERR_BAD_TIME');
  });

  it('write a port given twice once, and refuse window starts the time offsets cannot count from', () => {
    const w = new FrameWriter();
    w.begin(header);
    w.host(FAMILY_IPV4, parseAddress('10.0.0.1')!, 12, full([1]), [undefined, undefined, undefined, { exact: [portValue(80), portValue(80), 7, 7] }]);
    const bytes = w.finish();
    expect(Buffer.from(bytes.subarray(bytes.length - 8)).toString('hex')).toBe('04' + '01' + '01' + '50' + '00000007'); // 1 port (80), 1 value (7)
    expect([...decodeFrame(bytes).hosts[0].distinct[3]!.exact!].sort()).toEqual([7, portValue(80)].sort());
    for (const windowStart of [0.5, -10_000, 2 ** 51 + 10_000, 2 ** 53]) expect(() => w.begin({ ...header, windowStart }), String(windowStart)).toThrow(RangeError);
    const last = Math.floor(2 ** 51 / 10_000) * 10_000;
    expect(decodeFrame(frameOf({ ...header, windowStart: last }, [])).windowStart).toBe(last);
    // A version 2 frame that says it starts past 2^51 (2^52, in windows of 2^50 ms) is refused; version 1 is read as it was.
    const zero = frameOf({ ...header, windowStart: 0 }, []); // Window start 00 at byte 11, length 904e at 12.
    const varint = (v: number) => { const out: number[] = []; for (; v >= 128; v = Math.floor(v / 128)) out.push((v % 128) | 128); return [...out, v]; };
    const late = Uint8Array.from([...zero.subarray(0, 11), ...varint(2 ** 52), ...varint(2 ** 50), ...zero.subarray(14)]);
    expect(codeOf(late)).toBe('PROTO_ERR_BAD_WINDOW');
    late[4] = 1;
    expect(decodeFrame(late).windowStart).toBe(2 ** 52);
  });

  it('write acks as version 1, which probes of both versions read', () => {
    const ack = encodeAck(300);
    expect(Buffer.from(ack).toString('hex')).toBe('48464c57' + '01' + '02' + '0000' + 'ac02');
    expect(decodeAck(ack)).toBe(300);
    const v2 = Uint8Array.from(ack);
    v2[4] = 2;
    expect(decodeAck(v2)).toBe(300);
  });

  it('round-trip sketches in the exact, sparse and dense forms', () => {
    const sparse = new Uint8Array(SKETCH_REGISTERS);
    sparse[0] = 1; sparse[5] = 3; sparse[SKETCH_REGISTERS - 1] = SKETCH_MAX_RANK;
    const dense = new Uint8Array(SKETCH_REGISTERS).map((_, i) => 1 + (i % SKETCH_MAX_RANK));
    const w = new FrameWriter();
    w.begin(header);
    w.host(FAMILY_IPV4, parseAddress('10.0.0.1')!, 12, full([1]), [{ exact: [7, 0, 0, 9] }, { registers: sparse }, { registers: dense }, { exact: [0, 0] }]);
    const bytes = w.finish();
    const [h] = decodeFrame(bytes).hosts;
    expect([...h.distinct[0]!.exact!]).toEqual([7, 9]);
    expect(h.distinct[1]!.registers).toEqual(sparse);
    expect(h.distinct[2]!.registers).toEqual(dense);
    expect(h.distinct[3]).toBeUndefined(); // An empty set is not sent.
    expect(bytes.length).toBeLessThan(64 + SKETCH_REGISTERS); // Sparse takes a few bytes, dense its registers.
  });

  it('refuse every corrupted length and form of a frame with a sketch', () => {
    expect(codeOf(SKETCH_FRAME)).toBeUndefined();
    const patch = (at: number, ...v: number[]) => { const b = Uint8Array.from(SKETCH_FRAME); b.set(v, at); return b; };
    const cases: [string, Uint8Array][] = [
      ...[0, 1, 3, 65, 0xff].map((v): [string, Uint8Array] => [`probe id length ${v}`, patch(8, v)]),
      ...[0, 1, 3, 0x7f].map((v): [string, Uint8Array] => [`stat count ${v}`, patch(17, v)]),
      ...[1, 0x7f].map((v): [string, Uint8Array] => [`exporter count ${v}`, patch(20, v)]),
      ...[[0x80, 0x80, 0], [0x82, 0x80, 0], [0xff, 0xff, 0x7f]].map((v): [string, Uint8Array] => [`host count ${v}`, patch(21, ...v)]),
      ...[0, 2, 3, 4, 0xff].map((v): [string, Uint8Array] => [`sketch form ${v}`, patch(37, v)]),
      ...[0, 1, 3, 0x7f].map((v): [string, Uint8Array] => [`sketch size ${v}`, patch(38, v)]),
      ['a sketch value of 0', patch(39, 0, 0, 0, 0)],
      ['a repeated sketch value', patch(39, 1, 2, 3, 4)],
      ['a flag bit other than more-parts', patch(6, 0x80)],
      ['a mask naming a fifth sketch', Uint8Array.from([...SKETCH_FRAME.subarray(0, 33), 0x90, 0x02, ...SKETCH_FRAME.subarray(34)])],
    ];
    for (const [what, bytes] of cases) expect(codeOf(bytes), what).toMatch(/^PROTO_ERR_/);
    for (let n = 0; n < SKETCH_FRAME.length; n++) expect(codeOf(SKETCH_FRAME.subarray(0, n)), `cut at ${n}`).toMatch(/^PROTO_ERR_/);
    // Registers: ranks above the maximum, an index past the last register.
    const w = new FrameWriter();
    w.begin(header);
    const regs = new Uint8Array(SKETCH_REGISTERS);
    regs[SKETCH_REGISTERS - 1] = 2;
    w.host(FAMILY_IPV4, parseAddress('10.0.0.1')!, 12, full([1]), [{ registers: regs }]);
    const sparse = w.finish();
    const at = sparse.length - 1; // The one register's rank is the frame's last byte.
    expect(codeOf(sparse)).toBeUndefined();
    const bad = Uint8Array.from(sparse);
    bad[at] = SKETCH_MAX_RANK + 1;
    expect(codeOf(bad)).toBe('PROTO_ERR_BAD_SKETCH');
    const past = Uint8Array.from([...sparse.subarray(0, at - 3), 0x80, 0x80, 0x02, 2]); // Gap 32,768: past the end.
    expect(codeOf(past)).toBe('PROTO_ERR_BAD_SKETCH');
    const emptyDense = Uint8Array.from([...sparse.subarray(0, at - 5), 3, ...new Array(SKETCH_REGISTERS).fill(0)]); // Form 3, all zero.
    expect(codeOf(emptyDense)).toBe('PROTO_ERR_BAD_SKETCH');
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
      expect(code, `cut at ${n}`).toBe('PROTO_ERR_TRUNCATED');
    }
  });

  it('refuse a frame with more HyperLogLog sketches than 32 MiB of registers, however small their sparse form', () => {
    const regs = new Uint8Array(SKETCH_REGISTERS);
    regs[7] = 3;
    const sketches = [{ registers: regs }, { registers: regs }, { registers: regs }, { registers: regs }];
    const w = new FrameWriter();
    w.begin(header);
    w.host(FAMILY_IPV4, parseAddress('10.0.0.1')!, 12, full([1]), sketches);
    const one = w.finish();
    const entry = one.subarray(24); // After the 3-byte padded host count at 21.
    expect(entry.length).toBeLessThan(40); // Four one-register sketches: a few bytes each on the wire.
    const hosts = MAX_FRAME_REGISTER_SKETCHES / 4 + 1;
    const bomb = Uint8Array.from([...one.subarray(0, 21), (hosts & 0x7f) | 0x80, ((hosts >> 7) & 0x7f) | 0x80, hosts >> 14, ...Array.from({ length: hosts }, () => [...entry]).flat()]);
    expect(codeOf(bomb)).toBe('PROTO_ERR_TOO_MANY_SKETCHES');
    // The writer never makes such a frame: it is full before, and the probe starts a new part.
    w.begin(header);
    let n = 0;
    while (!w.full) { w.host(FAMILY_IPV4, parseAddress('10.0.0.1')!, 12, full([1]), sketches); n++; }
    expect(n).toBe(MAX_FRAME_REGISTER_SKETCHES / 4);
    expect(codeOf(w.finish())).toBeUndefined();
  });

  it('refuse bad magic, version, kind, family, window, varints and trailing bytes with their codes', () => {
    const good = frameOf(header, [[FAMILY_IPV4, '10.0.0.1', [1, 0, 0, 0, 0, 0, 0, 0]]]);
    const patch = (at: number, v: number) => { const b = Uint8Array.from(good); b[at] = v; return b; };
    expect(codeOf(patch(0, 0))).toBe('PROTO_ERR_BAD_MAGIC');
    expect(codeOf(patch(4, 0))).toBe('PROTO_ERR_BAD_VERSION');
    expect(codeOf(patch(4, 3))).toBe('PROTO_ERR_BAD_VERSION');
    expect(codeOf(patch(5, 9))).toBe('PROTO_ERR_BAD_KIND');
    expect(codeOf(patch(8, 0))).toBe('PROTO_ERR_BAD_PROBE_ID');
    expect(codeOf(patch(24, 5))).toBe('PROTO_ERR_BAD_FAMILY'); // The first entry's family byte.
    expect(codeOf(Uint8Array.from([...good, 0]))).toBe('PROTO_ERR_TRAILING_BYTES');
    expect(codeOf(frameOf({ ...header, windowStart: 10_001 }, []))).toBe('PROTO_ERR_BAD_WINDOW');
    const longVarint = Uint8Array.from([...good.subarray(0, 11), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(codeOf(longVarint)).toBe('PROTO_ERR_BAD_VARINT');
    const manyHosts = Uint8Array.from(good.subarray(0, 22));
    manyHosts[21] = 0x7f; // 127 hosts announced (unpadded) in a frame with no room for them.
    expect(codeOf(manyHosts)).toBe('PROTO_ERR_TRUNCATED');
    const overLimit = Uint8Array.from([...good.subarray(0, 21), 0xa1, 0x8d, 0x06]); // 100,001 hosts: over the limit, room or not.
    expect(codeOf(overLimit)).toBe('PROTO_ERR_TOO_MANY_HOSTS');
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
