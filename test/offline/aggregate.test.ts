import { describe, it, expect } from 'vitest';
import { aggregateCaptures } from '../../src/offline/aggregate.js';
import { SOFTFLOWD_IPFIX_MS, softflowdOracle } from '../helpers/fixtures.js';

describe('aggregateCaptures', () => {
  it('matches nfdump per host, out and in, on softflowd IPFIX (milliseconds)', () => {
    const { hosts, stats } = aggregateCaptures([SOFTFLOWD_IPFIX_MS]);
    const oracle = softflowdOracle();
    const addresses = new Set([...oracle.out.keys(), ...oracle.in.keys()]);
    expect(addresses.size).toBeGreaterThan(3000);
    expect(hosts.length).toBe(addresses.size);
    const byHost = new Map(hosts.map((h) => [h.host, h]));
    const mismatches: string[] = [];
    for (const address of addresses) {
      const h = byHost.get(address);
      const out = oracle.out.get(address) ?? [0, 0, 0];
      const inn = oracle.in.get(address) ?? [0, 0, 0];
      const got = h ? [h.flows_out, h.packets_out, h.bytes_out, h.flows_in, h.packets_in, h.bytes_in] : [];
      if (JSON.stringify(got) !== JSON.stringify([...out, ...inn])) mismatches.push(`${address}: ${got} vs ${[...out, ...inn]}`);
    }
    expect(mismatches).toEqual([]);
    const sum = (k: 'flows_out' | 'packets_out' | 'bytes_out') => hosts.reduce((s, h) => s + h[k], 0);
    expect([sum('flows_out'), sum('packets_out'), sum('bytes_out')]).toEqual([42_048, 130_542, 29_959_236]);
    expect(stats.records).toBe(42_048);
    expect(stats.datagramsRejected).toBe(0);
    expect(stats.setsNoTemplate).toBe(0);
  });

  it('reports first and last seen from the records\' own flow times', () => {
    const { hosts } = aggregateCaptures([SOFTFLOWD_IPFIX_MS]);
    const dns = hosts.find((h) => h.host === '10.0.0.53')!;
    // The capture spans 1700000000 .. 1700000032 s (nfdump -I: First/Last).
    expect(dns.first_seen).toBeGreaterThanOrEqual(1_700_000_000_000);
    expect(dns.last_seen).toBeLessThanOrEqual(1_700_000_033_000);
    expect(dns.last_seen).toBeGreaterThan(dns.first_seen);
  });
});
