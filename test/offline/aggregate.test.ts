import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { aggregateCaptures, type HostRow } from '../../src/offline/aggregate.js';
import { defaultCoreOptions } from '../../src/wasm/core.js';
import { parseCidr } from '../../src/protocol/address.js';
import { FIXTURES, SOFTFLOWD_IPFIX_MS, softflowdOracle, hostOracleMismatches, type Oracle } from '../helpers/fixtures.js';

const capture = (name: string) => join(FIXTURES, `softflowd/${name}.pcap.gz`);

/** mismatches compares our hosts with nfdump's per-address sums; fields picks [flows, packets, bytes] columns. */
function mismatches(hosts: HostRow[], oracle: { out: Oracle; in: Oracle }, fields: number[] = [0, 1, 2]): string[] {
  const byHost = new Map(hosts.map((h) => [h.host, h]));
  const addresses = new Set([...oracle.out.keys(), ...oracle.in.keys(), ...byHost.keys()]);
  const wrong: string[] = [];
  for (const a of addresses) {
    const h = byHost.get(a);
    const got = h ? [h.flows_out, h.packets_out, h.bytes_out, h.flows_in, h.packets_in, h.bytes_in] : [0, 0, 0, 0, 0, 0];
    const want = [...(oracle.out.get(a) ?? [0, 0, 0]), ...(oracle.in.get(a) ?? [0, 0, 0])];
    const pick = (v: number[]) => [...fields, ...fields.map((f) => f + 3)].map((i) => v[i]);
    if (JSON.stringify(pick(got)) !== JSON.stringify(pick(want))) wrong.push(`${a}: ${pick(got)} vs nfdump ${pick(want)}`);
  }
  return wrong;
}

const totals = (hosts: HostRow[]) => ({
  flows: hosts.reduce((s, h) => s + h.flows_out, 0),
  packets: hosts.reduce((s, h) => s + h.packets_out, 0),
  bytes: hosts.reduce((s, h) => s + h.bytes_out, 0),
});

describe('aggregateCaptures against nfdump on softflowd exports', () => {
  for (const name of ['softflowd-ipfix-ms', 'softflowd-ipfix-uptime', 'softflowd-nfv9']) {
    it(`matches every host exactly, out and in, on ${name}`, () => {
      const { hosts, stats } = aggregateCaptures([capture(name)]);
      expect(mismatches(hosts, softflowdOracle(name))).toEqual([]);
      expect(hosts.length).toBe(3957);
      expect(totals(hosts)).toEqual({ flows: 42_048, packets: 130_542, bytes: 29_959_236 });
      expect(stats).toMatchObject({ records: 42_048, datagramsRejected: 0, setsNoTemplate: 0 });
    });
  }

  it('matches every host exactly on NetFlow v5 (IPv4 only)', () => {
    const { hosts, stats } = aggregateCaptures([capture('softflowd-nfv5')]);
    expect(mismatches(hosts, softflowdOracle('softflowd-nfv5'))).toEqual([]);
    expect(totals(hosts).flows).toBe(40_076);
    expect(stats).toMatchObject({ records: 40_076, packetsV5: 1344, datagramsRejected: 0 });
  });

  it('gives each host of the biflow export the packets and bytes of the uniflow export, both directions', () => {
    const { hosts, stats } = aggregateCaptures([capture('softflowd-ipfix-biflow')]);
    expect(stats.records).toBe(23_032);
    expect(mismatches(hosts, softflowdOracle('softflowd-ipfix-ms'), [1, 2])).toEqual([]);
    expect(totals(hosts)).toMatchObject({ packets: 130_542, bytes: 29_959_236 });
  });

  it('applies the announced 1-in-10 sampling rate to packets and bytes', () => {
    const { hosts, stats } = aggregateCaptures([capture('softflowd-ipfix-sampled')]);
    const raw = softflowdOracle('softflowd-ipfix-sampled');
    let packets = 0, bytes = 0;
    for (const [, [, p, b]] of raw.out) { packets += p; bytes += b; }
    expect([packets, bytes]).toEqual([13_055, 5_329_944]); // nfdump stores the sampled counts as they came.
    const t = totals(hosts);
    expect(Math.abs(t.packets - 10 * packets) / (10 * packets)).toBeLessThan(0.01);
    expect(Math.abs(t.bytes - 10 * bytes) / (10 * bytes)).toBeLessThan(0.01);
    expect(stats.samplingRate).toBe(10);
    expect(stats.sampledRecords).toBe(stats.records);
    // Per host, scaled exactly: each host's figures are ten times nfdump's.
    const scaled = { out: new Map([...raw.out].map(([a, [f, p, b]]) => [a, [f, 10 * p, 10 * b] as [number, number, number]])),
      in: new Map([...raw.in].map(([a, [f, p, b]]) => [a, [f, 10 * p, 10 * b] as [number, number, number]])) };
    expect(mismatches(hosts, scaled)).toEqual([]);
  });

  it('gives every host the TCP-flag, protocol, distinct peer and port counts and first/last seen derived from tshark\'s decode (derive-host-oracle.py)', () => {
    const { hosts } = aggregateCaptures([SOFTFLOWD_IPFIX_MS]);
    const byHost = new Map(hosts.map((h) => [h.host, h]));
    const { wrong, estimated } = hostOracleMismatches(byHost);
    expect(wrong.slice(0, 10)).toEqual([]);
    expect(estimated).toBeGreaterThan(0); // Both forms are exercised: 10.0.0.53 alone has 1,902 peers.
    const scanner = byHost.get('10.9.9.9')!; // The vertical port scan: SYNs to 1,024 ports, answered by RST/ACK.
    expect([scanner.tcp_syn_out, byHost.get('10.1.2.3')!.tcp_rst_out]).toEqual([1024, 1024]);
    expect(Math.abs(scanner.dst_ports_out - 1024) / 1024).toBeLessThanOrEqual(0.02);
  });

  it('makes hosts only of addresses inside the monitored networks, each with the same figures as without', () => {
    const all = new Map(aggregateCaptures([SOFTFLOWD_IPFIX_MS]).hosts.map((h) => [h.host, h]));
    const networks = [parseCidr('10.1.0.0/16')!, parseCidr('2001:db8:ffff::/48')!];
    const { hosts, stats } = aggregateCaptures([SOFTFLOWD_IPFIX_MS], { ...defaultCoreOptions(), networks });
    const inside = [...all.keys()].filter((h) => h.startsWith('10.1.') || h.startsWith('2001:db8:ffff:'));
    expect(hosts.map((h) => h.host).sort()).toEqual(inside.sort());
    for (const h of hosts) expect(h, h.host).toEqual(all.get(h.host));
    expect(stats.unmonitoredRecords).toBeGreaterThan(0);
  });

  it('sums the hosts beyond --max-hosts into the overflow entry, so that the totals still add up', () => {
    const { hosts, stats } = aggregateCaptures([SOFTFLOWD_IPFIX_MS], { ...defaultCoreOptions(), maxHosts: 1000 });
    expect(hosts.length).toBe(1001);
    expect(hosts.filter((h) => h.host === 'overflow')).toHaveLength(1);
    expect(totals(hosts)).toEqual({ flows: 42_048, packets: 130_542, bytes: 29_959_236 });
    expect(hosts.reduce((s, h) => s + h.bytes_in, 0)).toBe(29_959_236);
    expect(stats.overflowRecords).toBeGreaterThan(0);
  });

  it('reports first and last seen from the records\' own flow times', () => {
    const { hosts } = aggregateCaptures([SOFTFLOWD_IPFIX_MS]);
    const dns = hosts.find((h) => h.host === '10.0.0.53')!;
    // The capture spans 1700000000 .. 1700000032 s (nfdump -I: First/Last).
    expect(dns.first_seen).toBeGreaterThanOrEqual(1_700_000_000_000);
    expect(dns.last_seen).toBeLessThanOrEqual(1_700_000_033_000);
    expect(dns.last_seen).toBeGreaterThan(dns.first_seen);
  });

  /** nfdumpSpan reads First/Last (s) and msec_first/msec_last from nfdump -I: the oracle's time span. */
  function nfdumpSpan(name: string): [number, number] {
    const text = readFileSync(join(FIXTURES, `softflowd/${name}.nfdump-summary.txt`), 'utf8');
    const v = (key: string) => Number(new RegExp(`^${key}: (\\d+)`, 'm').exec(text)![1]);
    return [v('First') * 1000 + v('msec_first'), v('Last') * 1000 + v('msec_last')];
  }
  const span = (hosts: HostRow[]) => [Math.min(...hosts.map((h) => h.first_seen)), Math.max(...hosts.map((h) => h.last_seen))];

  it('dates NetFlow v5 flows from the header uptime exactly as nfdump does', () => {
    const [first, last] = span(aggregateCaptures([capture('softflowd-nfv5')]).hosts);
    const [nfFirst, nfLast] = nfdumpSpan('softflowd-nfv5');
    expect(Math.floor(first)).toBe(nfFirst); // v5 adds the header's nanoseconds; nfdump keeps whole ms.
    expect(Math.floor(last)).toBe(nfLast);
  });

  it('dates IPFIX uptime flows from systemInitTimeMilliseconds in options data, as nfdump does', () => {
    const [first, last] = span(aggregateCaptures([capture('softflowd-ipfix-uptime')]).hosts);
    const [nfFirst, nfLast] = nfdumpSpan('softflowd-ipfix-uptime');
    expect(last).toBe(nfLast);
    expect(Math.abs(first - nfFirst)).toBeLessThanOrEqual(2); // Not yet explained: 2 ms apart on the earliest start.
  });

  it('dates NetFlow v9 flows before the export time that reported them (signed 32-bit uptime difference, quirk 12)', () => {
    // softflowd read a 2023 capture in 2026: its uptime fields wrapped. nfdump reads (switched - sysUptime)
    // as unsigned and dates the flows 2^32 ms (49.7 days) after the datagrams that reported them;
    // the signed difference keeps every flow before its export time, as on v5.
    const [first, last] = span(aggregateCaptures([capture('softflowd-nfv9')]).hosts);
    const [nfFirst, nfLast] = nfdumpSpan('softflowd-nfv9');
    expect(nfFirst - first).toBeGreaterThan(2 ** 32 - 2000);
    expect(nfFirst - first).toBeLessThan(2 ** 32 + 2000);
    expect(nfLast - last).toBeGreaterThan(2 ** 32 - 2000);
    expect(last).toBeLessThan(1_796_322_106_000); // The datagrams' export time (header unix seconds).
  });
});
