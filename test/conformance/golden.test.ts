import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCaptures } from '../../src/offline/decode.js';
import type { DecodedFlow } from '../../src/wasm/core.js';
import { FIXTURES } from '../helpers/fixtures.js';

// telegraf's netflow plugin ships, for each of its test inputs, the line protocol it expects: the flow
// records an independent decoder got from the same payloads (MIT; copied with them).
const TELEGRAF = join(FIXTURES, 'public/telegraf');
const PROTOCOLS: Record<string, number> = {
  icmp: 1, ipv4: 4, tcp: 6, udp: 17, ipv6: 41, gre: 47, esp: 50, 'ipv6-icmp': 58, ipv6icmp: 58, icmpv6: 58, vrrp: 112, sctp: 132,
};

/** parseLine reads one `netflow,... field=value,... timestamp` line's fields (quoted strings, u-suffixed ints). */
function parseLine(line: string): Record<string, string> {
  const fieldsPart = line.replace(/ \d+$/, '').slice(line.indexOf(' ') + 1); // Drop the timestamp, then the tags.
  const fields: Record<string, string> = {};
  for (const m of fieldsPart.matchAll(/([a-z0-9_]+)=("(?:[^"\\]|\\.)*"|[^,]*)/g)) fields[m[1]] = m[2].replace(/^"|"$/g, '').replace(/u$/, '');
  return fields;
}

const goldenKey = (f: Record<string, string>) => {
  const proto = f.protocol === undefined ? '-' : PROTOCOLS[f.protocol] ?? Number(f.protocol);
  return [f.src ?? '-', f.dst ?? '-', f.src_port ?? '-', f.dst_port ?? '-', proto,
    f.in_packets ?? f.in_total_packets ?? '0', f.in_bytes ?? f.in_total_bytes ?? '0'].join('|');
};
const ourKey = (f: DecodedFlow) => [f.source ?? '-', f.destination ?? '-', f.sourceTransportPort ?? '-', f.destinationTransportPort ?? '-',
  f.protocolIdentifier ?? '-', f.packets, f.octets].join('|');

describe('hostflow decode against the expected decodes telegraf ships', () => {
  const goldens = readdirSync(join(TELEGRAF, 'golden')).filter((g) => !g.startsWith('sflow'));
  it('finds the golden files', () => expect(goldens.length).toBeGreaterThanOrEqual(8));

  for (const golden of goldens) {
    const test = golden.replace(/__expected\.out$/, '');
    it(test, () => {
      const lines = readFileSync(join(TELEGRAF, 'golden', golden), 'utf8').split('\n').filter((l) => l.startsWith('netflow,'));
      const inputs = readdirSync(TELEGRAF).filter((f) => f.startsWith(`${test}__`)).sort().map((f) => join(TELEGRAF, f));
      const ours: DecodedFlow[] = [];
      decodeCaptures(inputs, (e) => { if (e.type === 'flow') ours.push(e); });
      expect(ours.map(ourKey).sort()).toEqual(lines.map((l) => goldenKey(parseLine(l))).sort());
    });
  }
});

// NetGauze (Apache-2.0) ships its decode of pmacct's test captures (GPL: read from the shared folder only).
const SHARED = process.env.HOSTFLOW_PUBLIC_CAPTURES ?? join(FIXTURES, '../../../shared/captures/public');
const NETGAUZE = join(SHARED, 'netgauze/golden');

describe.runIf(existsSync(NETGAUZE))('hostflow decode against the expected decodes NetGauze ships for pmacct captures', () => {
  const goldens = existsSync(NETGAUZE) ? readdirSync(NETGAUZE).filter((g) => g.endsWith('-flow.json') && existsSync(join(SHARED, 'pmacct', g.replace(/-flow\.json$/, '.pcap')))) : [];
  it('finds the golden files', () => expect(goldens.length).toBeGreaterThanOrEqual(5));

  for (const golden of goldens) {
    it(golden, () => {
      const expected: string[] = [];
      for (const line of readFileSync(join(NETGAUZE, golden), 'utf8').split('\n').filter(Boolean)) {
        const message = JSON.parse(line);
        const body = message.IPFIX ?? message.NetFlowV9;
        for (const set of body?.sets ?? []) {
          const data = set.Data;
          if (!data) continue;
          for (const record of Array.isArray(data) ? data : data.records ?? []) {
            if ((record.scope_fields ?? []).length > 0) continue; // Options data.
            const fields: [string, unknown][] = (record.fields ?? []).map((f: Record<string, unknown>) => Object.entries(f)[0]);
            const first = (...names: string[]) => fields.filter(([k]) => names.includes(k)).map(([, v]) => v);
            const address = (v4: string, v6: string) => {
              const all = first(v4, v6) as string[];
              return all.find((a) => a !== '0.0.0.0' && a !== '::') ?? all[0];
            };
            const src = address('sourceIPv4Address', 'sourceIPv6Address');
            const dst = address('destinationIPv4Address', 'destinationIPv6Address');
            if (src === undefined && dst === undefined) continue;
            const proto = first('protocolIdentifier')[0];
            const protoNumber = proto === undefined ? '-' : typeof proto === 'number' ? proto : PROTOCOLS[String(proto).toLowerCase()] ?? Number(proto);
            expected.push([src ?? '-', dst ?? '-', first('sourceTransportPort')[0] ?? '-', first('destinationTransportPort')[0] ?? '-', protoNumber,
              first('packetDeltaCount', 'packetTotalCount')[0] ?? 0, first('octetDeltaCount', 'octetTotalCount')[0] ?? 0].join('|'));
          }
        }
      }
      const ours: DecodedFlow[] = [];
      decodeCaptures([join(SHARED, 'pmacct', golden.replace(/-flow\.json$/, '.pcap'))], (e) => { if (e.type === 'flow' && !e.decodedLater) ours.push(e); });
      expect(ours.map(ourKey).sort()).toEqual(expected.sort());
    });
  }
});
