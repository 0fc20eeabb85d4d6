import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeCaptures } from '../../src/offline/decode.js';
import type { DecodedFlow } from '../../src/wasm/core.js';
import { tsharkFlows, type TsharkFlow } from '../helpers/tshark.js';
import { FIXTURES, ROOT } from '../helpers/fixtures.js';

// Every capture of export packets: the permissively licensed ones copied into the fixtures, and all of
// them from the workplace's shared folder when it is there (GPL/LGPL/AGPL files are only read from it).
const SHARED = process.env.HOSTFLOW_PUBLIC_CAPTURES ?? join(ROOT, '../shared/captures/public');
const BUNDLED = join(FIXTURES, 'public');

function captures(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) { if (name !== 'nDPI-traffic' && name !== 'golden') walk(full); }
      else if (/\.(pcap|pcapng|cap)$/.test(name)) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

const files = existsSync(SHARED) ? captures(SHARED) : captures(BUNDLED);
const root = existsSync(SHARED) ? SHARED : BUNDLED;

/** malformed tells from the MANIFEST's flags whether a file is deliberately broken in a way that must be
 * counted: a set running past its message (unless the message header is the short one, telegraf#14370),
 * a bad set length, an impossible v5 count. */
const manifest = new Map(readFileSync(join(root, 'MANIFEST.tsv'), 'utf8').split('\n').map((l) => l.split('\t')).map((c) => [c[0], c[5] ?? '']));
function malformed(name: string): boolean {
  const flags = manifest.get(name) ?? '';
  const mismatch = /ipfix-len-mismatch\((\d+)!=(\d+)\)/.exec(flags);
  const shortHeader = mismatch !== null && Number(mismatch[1]) < Number(mismatch[2]);
  return /bad-set-length|v5-count-mismatch/.test(flags) || (/set-overruns-message/.test(flags) && !shortHeader);
}

/** Where tshark is the one that is wrong, or reads the input otherwise on purpose: file -> why. */
const DIFFERENCES: Record<string, { why: string; onlyTshark?: number; onlyOurs?: number }> = {
  '_wrapped/logstash-codec-netflow/Netflow_5_invalid_01.pcap': { onlyTshark: 30,
    why: 'the v5 header says 55,582 records (v5 holds at most 30): hostflow refuses the datagram as NETFLOW5_ERR_BAD_COUNT; tshark decodes the 30 that fit, garbage octet counts among them' },
  '_wrapped/logstash-codec-netflow/Netflow_5_invalid_02.pcap': { onlyTshark: 30,
    why: 'as Netflow_5_invalid_01: an impossible v5 record count; refused and counted' },
  '_wrapped/logstash-codec-netflow/Netflow_9_invalid_01.pcap': { onlyOurs: 2,
    why: 'the v9 header count (2) is lower than the records present; RFC 3954 makes it a hint and hostflow walks flowsets by their lengths, tshark stops counting at it' },
  '_wrapped/logstash-codec-netflow/Netflow_9_H3C.pcap': { onlyOurs: 15,
    why: 'the second datagram holds 16 flowsets of template 3281, each 84 bytes (one 80-byte record); tshark marks the packet malformed after the first' },
  'pmacct/112-IPFIXv10-CISCO-options-map-reassignment__traffic-00.pcap': { onlyOurs: 9,
    why: 'template 347 comes in frame 10; tshark reports "no template found" for its data sets in frames 11 and 21, hostflow decodes them' },
};

const key = (src?: string, dst?: string, sp?: number, dp?: number, proto?: number, flags?: number, packets?: number, octets?: number, times?: string) =>
  [src ?? '-', dst ?? '-', sp ?? '-', dp ?? '-', proto ?? '-', flags ?? '-', packets ?? 0, octets ?? 0, times ?? ''].join('|');

function compare(ours: DecodedFlow[], theirs: TsharkFlow[]) {
  // Times take part where tshark shows absolute times for every record (IPFIX); v9/v5 show uptime only.
  // A time of 0 is no time: hostflow dates such records by their arrival (timesFromRecord false).
  const withTimes = theirs.length > 0 && theirs.every((f) => f.startMs !== undefined && f.endMs !== undefined);
  const ourTimes = (f: DecodedFlow) => (f.timesFromRecord ? `${Math.round(f.startMs)}-${Math.round(f.endMs)}` : 'none');
  const theirTimes = (f: TsharkFlow) => (f.startMs || f.endMs ? `${Math.round(f.startMs!)}-${Math.round(f.endMs!)}` : 'none');
  const count = new Map<string, number>();
  for (const f of ours) {
    const k = key(f.source, f.destination, f.sourceTransportPort, f.destinationTransportPort, f.protocolIdentifier, f.tcpControlBits,
      f.packets, f.octets, withTimes ? ourTimes(f) : '');
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  for (const f of theirs) {
    const k = key(f.src, f.dst, f.srcPort, f.dstPort, f.protocol, f.tcpFlags, f.packets?.[0], f.octets?.[0],
      withTimes ? theirTimes(f) : '');
    count.set(k, (count.get(k) ?? 0) - 1);
  }
  const onlyOurs = [...count].filter(([, n]) => n > 0);
  const onlyTshark = [...count].filter(([, n]) => n < 0);
  return {
    onlyOurs: onlyOurs.reduce((s, [, n]) => s + n, 0),
    onlyTshark: onlyTshark.reduce((s, [, n]) => s - n, 0),
    examples: [...onlyOurs.slice(0, 3).map(([k]) => `hostflow ${k}`), ...onlyTshark.slice(0, 3).map(([k]) => `tshark   ${k}`)],
  };
}

describe(`hostflow decode against tshark, record by record, on ${files.length} vendor captures (${existsSync(SHARED) ? 'shared folder' : 'bundled permissive subset'})`, () => {
  it('finds the vendor captures, the deliberately malformed ones among them', () => {
    expect(files.length).toBeGreaterThan(existsSync(SHARED) ? 150 : 60);
    expect(files.filter((f) => malformed(relative(root, f))).length).toBeGreaterThanOrEqual(existsSync(SHARED) ? 8 : 2);
  });

  for (const file of files) {
    const name = relative(root, file);
    it(name, () => {
      const flows: DecodedFlow[] = [];
      const stats = decodeCaptures([file], (e) => { if (e.type === 'flow') flows.push(e); });
      expect(stats.coreFaults ?? 0).toBe(0);
      if (malformed(name)) expect(stats.datagramsRejected, 'a deliberately malformed capture gives counted rejections').toBeGreaterThan(0);
      // Sets held until their template came later in the file: tshark cannot decode those (quirk 1).
      const later = flows.filter((f) => f.decodedLater);
      if (later.length > 0) expect(stats.setsHeldDecoded).toBeGreaterThan(0);
      const theirs = tsharkFlows(file).filter((f) => f.src !== undefined || f.dst !== undefined);
      const result = compare(flows.filter((f) => !f.decodedLater), theirs);
      const expected = DIFFERENCES[name];
      expect({ onlyOurs: result.onlyOurs, onlyTshark: result.onlyTshark }, `${name}\n${result.examples.join('\n')}`)
        .toEqual({ onlyOurs: expected?.onlyOurs ?? 0, onlyTshark: expected?.onlyTshark ?? 0 });
    });
  }
});
