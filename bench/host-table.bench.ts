import { bench, describe } from 'vitest';
import { benchOptions, SMOKE } from './options.js';
import { FlowCore, defaultCoreOptions } from '../src/wasm/core.js';
import { FrameWriter } from '../src/protocol/frame.js';
import { message, set, templateSet, templateRecord, BASIC_V4, basicV4Record } from '../test/helpers/ipfix.js';
import { readCaptureFile } from '../src/pcap/reader.js';
import { join } from 'node:path';
import { FIXTURES } from '../test/helpers/fixtures.js';

// Decode + aggregate with a table of N active hosts: 1,000 datagrams of 20 records each, sources and
// destinations drawn from N addresses, after one pass that has put all N in the table.
const RECORDS_PER_DATAGRAM = 20;
const DATAGRAMS = 1000;

function datagramsOver(hosts: number, seed: number): Uint8Array[] {
  let s = seed;
  const pick = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s % hosts; };
  const addr = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  return Array.from({ length: DATAGRAMS }, () =>
    message(0, set(256, Array.from({ length: RECORDS_PER_DATAGRAM }, () => basicV4Record(addr(pick()), addr(pick()), 3, 900)).flat())));
}

for (const hosts of SMOKE ? [1_000] : [1_000, 100_000, 1_000_000]) {
  describe(`host table with ${hosts.toLocaleString('en')} active hosts`, () => {
    const core = new FlowCore({ ...defaultCoreOptions(), maxHosts: 2_000_000, templateLifetimeMs: 0 });
    core.ingest(message(0, templateSet(templateRecord(256, BASIC_V4))), '192.0.2.1', 0);
    // Fill the table: every host once.
    const addr = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    for (let i = 0; i < hosts; i += RECORDS_PER_DATAGRAM) {
      core.ingest(message(0, set(256, Array.from({ length: RECORDS_PER_DATAGRAM }, (_, k) => basicV4Record(addr((i + k) % hosts), addr((i + k + 1) % hosts), 1, 60)).flat())), '192.0.2.1', 0);
    }
    const traffic = datagramsOver(hosts, hosts);
    const bytes = traffic.reduce((n, d) => n + d.length, 0);
    bench(`decode + aggregate, ${hosts} active hosts [${DATAGRAMS * RECORDS_PER_DATAGRAM} records, ${bytes} bytes]`, () => {
      for (const d of traffic) core.ingest(d, '192.0.2.1', 0);
    }, benchOptions);
  });
}

describe('window close and frame', () => {
  const datagrams = readCaptureFile(join(FIXTURES, 'softflowd/softflowd-ipfix-ms.pcap.gz')).datagrams;
  const core = new FlowCore({ ...defaultCoreOptions(), templateLifetimeMs: 0 });
  const writer = new FrameWriter();
  bench('close a window of the softflowd-ipfix-ms capture (3,957 hosts) into a frame', () => {
    for (const d of datagrams) core.ingest(d.payload, '192.0.2.1', 0);
    writer.begin({ probeId: 'bench', windowStart: 0, windowLength: 10_000, sequence: 1, stats: [] });
    core.closeWindow((family, addr, off, values, distinct) => writer.host(family, addr, off, values, distinct));
    writer.finish();
  }, benchOptions);
});
