import { describe, it, expect } from 'vitest';
import { newCore, windowRows, type Row } from '../helpers/core.js';
import { message, set, templateSet, templateRecord, ipv4, ipv6, uint, IE, type Field } from '../helpers/ipfix.js';
import { FrameWriter, decodeFrame } from '../../src/protocol/frame.js';
import { HOST_FIELD_COUNT, DISTINCT_FIELDS, STAT_COLUMNS, SKETCH_EXACT_LIMIT, type HostField, type DistinctField, type StatColumn } from '../../src/protocol/messages.js';
import { DistinctSketch } from '../../src/protocol/sketch.js';
import { sameStatistic } from '../helpers/fixtures.js';

// Random flow records through the real core against a plain JavaScript model of the host table.
const PORTS: Field[] = [[IE.sourceTransportPort, 2], [IE.destinationTransportPort, 2]];
const V4: Field[] = [[IE.sourceIPv4Address, 4], [IE.destinationIPv4Address, 4], ...PORTS, [IE.protocolIdentifier, 1], [IE.tcpControlBits, 1],
  [IE.packetDeltaCount, 4], [IE.octetDeltaCount, 8], [IE.flowStartMilliseconds, 8], [IE.flowEndMilliseconds, 8]];
const V6: Field[] = [[IE.sourceIPv6Address, 16], [IE.destinationIPv6Address, 16], ...PORTS, [IE.protocolIdentifier, 1], [IE.tcpControlBits, 1],
  [IE.packetDeltaCount, 4], [IE.octetDeltaCount, 8], [IE.flowStartMilliseconds, 8], [IE.flowEndMilliseconds, 8]];
const u16 = (v: number) => [v >> 8, v & 0xff];

type ModelRecord = { src: string; dst: string; srcPort: number; dstPort: number; proto: number; flags: number; packets: number; octets: number; start: number; end: number };
type ModelRow = Record<StatColumn, number>;
const FLAGS = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'];

function model(records: ModelRecord[]): Map<string, ModelRow> {
  const hosts = new Map<string, ModelRow>();
  const sets = new Map<string, Record<DistinctField, Set<string | number>>>();
  const get = (h: string) => {
    let r = hosts.get(h);
    if (!r) {
      hosts.set(h, (r = Object.fromEntries(STAT_COLUMNS.map((f) => [f, 0])) as ModelRow));
      sets.set(h, Object.fromEntries(DISTINCT_FIELDS.map((f) => [f, new Set()])) as Record<DistinctField, Set<string | number>>);
    }
    return r;
  };
  for (const r of records) {
    for (const [host, dir] of [[r.src, 'out'], [r.dst, 'in']] as const) {
      const h = get(host);
      h[`flows_${dir}`]++;
      h[`packets_${dir}`] += r.packets;
      h[`bytes_${dir}`] += r.octets;
      const bucket = r.proto === 6 ? 'tcp' : r.proto === 17 ? 'udp' : r.proto === 1 || r.proto === 58 ? 'icmp' : 'other';
      h[`flows_${bucket}_${dir}` as HostField]++;
      if (r.proto === 6) FLAGS.forEach((f, bit) => { if (r.flags & (1 << bit)) h[`tcp_${f}_${dir}` as HostField]++; });
      h.first_seen = h.first_seen === 0 ? r.start : Math.min(h.first_seen, r.start);
      h.last_seen = Math.max(h.last_seen, r.end);
    }
    sets.get(r.src)!.peers_out.add(r.dst);
    sets.get(r.dst)!.peers_in.add(r.src);
    if (r.proto === 6 || r.proto === 17 || r.proto === 132) {
      sets.get(r.src)!.dst_ports_out.add(r.dstPort);
      sets.get(r.dst)!.local_ports_in.add(r.dstPort);
    }
  }
  for (const [host, s] of sets) for (const f of DISTINCT_FIELDS) hosts.get(host)![f] = s[f].size;
  return hosts;
}

/** differences compares a host's row with the model's: counters exactly, distinct counts exactly up to
 * SKETCH_EXACT_LIMIT and within 2 % beyond. */
function differences(got: Row | undefined, want: ModelRow): string[] {
  if (!got) return ['missing'];
  return STAT_COLUMNS.filter((c) => !sameStatistic(c, got[c], want[c])).map((c) => `${c}: ${got[c]} vs ${want[c]}`);
}

describe('the host table against a JavaScript model', () => {
  // The last pools are larger than the table size from which the core stages its updates and touches
  // their cache lines first (PREFETCH_FROM_HOSTS, 4,096): both paths against the same model.
  for (const [seed, v4Hosts] of [[1, 300], [2, 300], [3, 300], [4, 300], [5, 300], [6, 12_000], [7, 30_000]]) {
    it(`gives every host the model's figures for 20,000 random IPv4 and IPv6 records (seed ${seed}, ${v4Hosts} IPv4 hosts)`, () => {
      let s = seed;
      const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s % n; };
      const v4 = Array.from({ length: v4Hosts }, (_, i) => `10.${i >> 8}.${i & 255}.${1 + rnd(250)}`);
      const v6 = Array.from({ length: 100 }, (_, i) => `2001:db8::${(i + 1).toString(16)}`);
      const core = newCore();
      core.ingest(message(0, templateSet(templateRecord(256, V4), templateRecord(257, V6))), '192.0.2.1', 0);
      const records: ModelRecord[] = [];
      let estimated = 0;
      for (let d = 0; d < 1000; d++) {
        const six = rnd(4) === 0;
        const body: number[] = [];
        for (let k = 0; k < 20; k++) {
          const pool = six ? v6 : v4;
          // A fifth of the records come from one busy host, so that its sets outgrow the exact form.
          const src = rnd(5) === 0 ? pool[0] : pool[rnd(pool.length)];
          const r = { src, dst: pool[rnd(pool.length)], srcPort: rnd(65536), dstPort: rnd(3000), proto: [6, 17, 1, 58, 47][rnd(5)], flags: rnd(256),
            packets: 1 + rnd(1000), octets: rnd(2 ** 31) * 3, start: 1_700_000_000_000 + rnd(10_000), end: 0 };
          r.end = r.start + rnd(5000);
          records.push(r);
          body.push(...(six ? ipv6(r.src) : ipv4(r.src)), ...(six ? ipv6(r.dst) : ipv4(r.dst)), ...u16(r.srcPort), ...u16(r.dstPort), r.proto, r.flags,
            ...uint(r.packets, 4), ...uint(r.octets, 8), ...uint(r.start, 8), ...uint(r.end, 8));
        }
        core.ingest(message(0, set(six ? 257 : 256, body)), '192.0.2.1', 0);
      }
      const want = model(records);
      const got = windowRows(core);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [host, row] of want) {
        expect(differences(got.get(host), row), host).toEqual([]);
        estimated += DISTINCT_FIELDS.filter((f) => row[f] > SKETCH_EXACT_LIMIT).length;
      }
      expect(estimated).toBeGreaterThan(0);
    });
  }

  // The second case fills the table past the size from which updates are staged.
  for (const [maxHosts, senders] of [[1000, 5000], [6000, 10_000]]) {
  it(`sums ${senders} hosts into ${maxHosts} entries and the overflow entry with --max-hosts ${maxHosts}, so that every total adds up`, () => {
    const core = newCore({ maxHosts });
    core.ingest(message(0, templateSet(templateRecord(256, V4))), '192.0.2.1', 0);
    for (let d = 0; d < senders / 20; d++) {
      const body: number[] = [];
      for (let k = 0; k < 20; k++) {
        const i = d * 20 + k; // Host 10.0.x.y sends 7 packets of 100 bytes to 10.255.0.(i % 10).
        body.push(...ipv4(`10.0.${i >> 8}.${i & 255}`), ...ipv4(`10.255.0.${i % 10}`), ...u16(1024 + i), ...u16(80), 6, 2, ...uint(7, 4), ...uint(700, 8), ...uint(1e12, 8), ...uint(1e12 + 5, 8));
      }
      core.ingest(message(0, set(256, body)), '192.0.2.1', 0);
    }
    const rows = windowRows(core);
    const stats = core.stats();
    expect(rows.size).toBe(maxHosts + 1);
    const overflow = rows.get('overflow')!;
    const sum = (f: StatColumn) => [...rows.values()].reduce((s, r) => s + r[f], 0);
    expect([sum('flows_out'), sum('packets_out'), sum('bytes_out'), sum('tcp_syn_out')]).toEqual([senders, 7 * senders, 700 * senders, senders]);
    expect([sum('flows_in'), sum('packets_in'), sum('bytes_in')]).toEqual([senders, 7 * senders, 700 * senders]);
    // The 10 destinations came first and kept their entries; maxHosts - 10 senders did too; the rest are in the overflow.
    expect(overflow.flows_out).toBe(senders - (maxHosts - 10));
    expect(stats.overflowRecords).toBe(senders - (maxHosts - 10));
    expect(overflow.peers_out).toBe(10); // The overflow's sketches are the union of its hosts' sets.
  });
  }

  it('round-trips random windows through the frame: core -> bytes -> decoder', () => {
    let s = 9;
    const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s % n; };
    const core = newCore();
    core.ingest(message(0, templateSet(templateRecord(256, V4))), '192.0.2.1', 0);
    for (let d = 0; d < 200; d++) {
      const body: number[] = [];
      for (let k = 0; k < 20; k++) body.push(...ipv4(`10.0.${rnd(40)}.${rnd(250)}`), ...ipv4(`10.1.0.${rnd(8)}`), ...u16(rnd(65536)), ...u16(rnd(1024)), 6, rnd(256), ...uint(rnd(100), 4), ...uint(rnd(1e9), 8), ...uint(1e12 + rnd(1e6), 8), ...uint(1e12 + 1e6 + rnd(1e6), 8));
      core.ingest(message(0, set(256, body)), '192.0.2.1', 0);
    }
    const writer = new FrameWriter();
    writer.begin({ probeId: 'p', windowStart: 0, windowLength: 10_000, sequence: 1, stats: [] });
    const expected = new Map<string, number[]>();
    const sketches = new Map<string, (DistinctSketch | undefined)[]>();
    core.closeWindow((family, addr, off, values, distinct) => {
      writer.host(family, addr, off, values, distinct);
      const host = `${addr[off]}.${addr[off + 1]}.${addr[off + 2]}.${addr[off + 3]}`;
      expected.set(host, [...values]);
      sketches.set(host, distinct.map((d) => d && DistinctSketch.ofSource(d)));
    });
    const frame = decodeFrame(writer.finish());
    expect(frame.hosts.length).toBe(expected.size);
    let hll = 0;
    for (const h of frame.hosts) {
      expect([...h.values], h.host).toEqual(expected.get(h.host));
      expect(h.distinct, h.host).toEqual(sketches.get(h.host));
      hll += h.distinct.filter((d) => d?.registers).length;
    }
    expect(hll).toBeGreaterThan(0); // the 8 hosts 10.1.0.x receive from about 500 sources each: both forms cross the wire.
    expect(frame.hosts[0].values.length).toBe(HOST_FIELD_COUNT);
  });
});
