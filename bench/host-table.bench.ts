import { bench, describe } from 'vitest';
import { benchOptions, SMOKE } from './options.js';
import { FlowCore, defaultCoreOptions } from '../src/wasm/core.js';
import { FrameWriter } from '../src/protocol/frame.js';
import { closeWindowInto } from '../src/probe/window-frame.js';
import { message, set, templateSet, templateRecord, uint, BASIC_V4, basicV4Record, type Field } from '../test/helpers/ipfix.js';
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

// The target's case: softflowd's own IPFIX template (template 1024 of softflowd-ipfix-ms: 16 fields, 50
// bytes) with 100,000 active hosts in every window: each pass is one window of 100,000 records (5,000
// datagrams of 20), every host sending one flow to a random one of them on one of 100 service ports
// (so all 100,000 are active, and most also receive), then the window is emptied
// without being read (reading it is the close's cost, measured below), so that the sets stay what one
// window of such traffic makes of them.
const SOFTFLOWD_V4: Field[] = [[8, 4], [12, 4], [152, 8], [153, 8], [1, 4], [2, 4], [10, 4], [14, 4], [61, 1], [136, 1], [7, 2], [11, 2], [4, 1], [6, 1], [60, 1], [5, 1]];
describe('softflowd\'s IPFIX template', () => {
  const hosts = SMOKE ? 1_000 : 100_000, perPass = SMOKE ? 1_000 : 100_000;
  const core = new FlowCore({ ...defaultCoreOptions(), maxHosts: 200_000, templateLifetimeMs: 0 });
  const raw = (core as unknown as { _wasm: { clear(): void } })._wasm;
  core.ingest(message(0, templateSet(templateRecord(1024, SOFTFLOWD_V4))), '192.0.2.1', 0);
  let s = 7;
  const pick = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n; };
  const addr = (i: number) => [10, (i >> 16) & 255, (i >> 8) & 255, i & 255];
  const t = 1_700_000_000_000;
  let next = 0;
  const record = () => [...addr(next++ % hosts), ...addr(pick(hosts)), ...uint(t, 8), ...uint(t + 500, 8), ...uint(900 + pick(9000), 4), ...uint(1 + pick(20), 4),
    0, 0, 0, 1, 0, 0, 0, 2, 0, 2, ...uint(1024 + pick(60000), 2), ...uint(pick(100), 2), 6, 0x1b, 4, 0];
  const traffic = Array.from({ length: perPass / RECORDS_PER_DATAGRAM }, () => message(0, set(1024, Array.from({ length: RECORDS_PER_DATAGRAM }, record).flat())));
  const bytes = traffic.reduce((n, d) => n + d.length, 0);
  bench(`decode + aggregate, softflowd's template, ${hosts} active hosts a window [${perPass} records, ${bytes} bytes]`, () => {
    for (const d of traffic) core.ingest(d, '192.0.2.1', 0);
    raw.clear();
  }, benchOptions);
});

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
  // What the probe does: the core writes the hosts' wire form itself (the same bytes, test/wasm/frame-hosts.test.ts).
  bench('close the same window into a frame, hosts encoded in the core', () => {
    for (const d of datagrams) core.ingest(d.payload, '192.0.2.1', 0);
    writer.begin({ probeId: 'bench', windowStart: 0, windowLength: 10_000, sequence: 1, stats: [] });
    closeWindowInto(core, writer, 8 << 20, () => { writer.finish(true); writer.begin({ probeId: 'bench', windowStart: 0, windowLength: 10_000, sequence: 2, stats: [] }); });
    writer.finish();
  }, benchOptions);
});
