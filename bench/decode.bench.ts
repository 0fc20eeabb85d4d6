import { bench, describe } from 'vitest';
import { benchOptions } from './options.js';
import { join } from 'node:path';
import { FlowCore, defaultCoreOptions } from '../src/wasm/core.js';
import { readCaptureFile, type Datagram } from '../src/pcap/reader.js';
import { FIXTURES } from '../test/helpers/fixtures.js';
import { PlainCore } from './plain-ts-core.js';

// Decode + aggregate through the real WASM core (the datagram copy into WASM memory included), per pass
// over a capture. Names carry [records, bytes] per pass: bench/report.mjs turns hz into records/s and MB/s.

/** countRecords decodes the datagrams once to know how many flow records a pass holds. */
function countRecords(datagrams: Datagram[]): number {
  const core = new FlowCore(defaultCoreOptions());
  for (const d of datagrams) core.ingest(d.payload, d.source, d.timeMs);
  return core.stats().records;
}

function passBench(label: string, datagrams: Datagram[], warmup: Datagram[] = []): void {
  const core = new FlowCore({ ...defaultCoreOptions(), templateLifetimeMs: 0 });
  for (const d of warmup) core.ingest(d.payload, '192.0.2.1', 0);
  const records = countRecords([...warmup, ...datagrams]) - countRecords(warmup);
  const bytes = datagrams.reduce((s, d) => s + d.payload.length, 0);
  bench(`${label} [${records} records, ${bytes} bytes]`, () => {
    for (const d of datagrams) core.ingest(d.payload, '192.0.2.1', 0);
    core.closeWindow(() => {});
  }, benchOptions);
}

describe('WASM core: decode + aggregate, softflowd exports', () => {
  for (const name of ['ipfix-ms', 'ipfix-uptime', 'ipfix-biflow', 'ipfix-sampled', 'nfv9', 'nfv5']) {
    passBench(`softflowd-${name}`, readCaptureFile(join(FIXTURES, `softflowd/softflowd-${name}.pcap.gz`)).datagrams);
  }
});

describe('WASM core: decode + aggregate, the widest vendor templates (each data datagram 1,000 times)', () => {
  const vendors: [string, string][] = [
    ['nProbe, 47 fields with PEN 35632 and variable length', 'public/_wrapped/telegraf/ipfix_pen_35632.pcap'],
    ['Netscaler, 41 fields with variable length', 'public/_wrapped/logstash-codec-netflow/IPFIX_Netscaler_with_variable_length_fields.pcap'],
    ['YAF-style telegraf example, 39 fields', 'public/_wrapped/telegraf/ipfix_example.pcap'],
  ];
  for (const [label, file] of vendors) {
    const all = readCaptureFile(join(FIXTURES, file)).datagrams;
    const data = all.slice(1);
    passBench(label, Array.from({ length: 1000 }, (_, i) => data[i % data.length]), all.slice(0, 1));
  }
});

describe('what WASM buys: the same decode + aggregate in plain TypeScript (bench/plain-ts-core.ts), softflowd IPFIX', () => {
  const datagrams = readCaptureFile(join(FIXTURES, 'softflowd/softflowd-ipfix-ms.pcap.gz')).datagrams;
  const records = countRecords(datagrams);
  const bytes = datagrams.reduce((s, d) => s + d.payload.length, 0);
  // Both must compute the same host table, or the comparison means nothing.
  const wasm = new FlowCore({ ...defaultCoreOptions(), templateLifetimeMs: 0 });
  const plain = new PlainCore();
  for (const d of datagrams) { wasm.ingest(d.payload, '192.0.2.1', 0); plain.ingest(d.payload); }
  const want: string[] = [];
  wasm.closeWindow((_f, _a, _o, values) => { want.push(Array.from(values.subarray(0, 6)).join(',')); });
  const got = [...plain.hostCounters().values()].map((v) => v.join(','));
  plain.closeWindow();
  if (plain.records !== records || JSON.stringify(got.sort()) !== JSON.stringify(want.sort())) throw new Error('plain TypeScript core disagrees with the WASM core');

  bench(`WASM core, softflowd-ipfix-ms [${records} records, ${bytes} bytes]`, () => {
    for (const d of datagrams) wasm.ingest(d.payload, '192.0.2.1', 0);
    wasm.closeWindow(() => {});
  }, benchOptions);
  bench(`plain TypeScript, softflowd-ipfix-ms [${records} records, ${bytes} bytes]`, () => {
    for (const d of datagrams) plain.ingest(d.payload);
    plain.closeWindow();
  }, benchOptions);
});
