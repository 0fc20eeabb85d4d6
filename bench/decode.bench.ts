import { bench, describe } from 'vitest';
import { readFileSync } from 'node:fs';
import { FlowCore, defaultCoreOptions } from '../src/wasm/core.js';
import { readCapture } from '../src/pcap/reader.js';
import { SOFTFLOWD_IPFIX_MS } from '../test/helpers/fixtures.js';

// Decode + aggregate through the real WASM core: one pass = the capture's 1,581 datagrams, 42,048 records.
const datagrams = readCapture(readFileSync(SOFTFLOWD_IPFIX_MS)).datagrams;
const core = new FlowCore(defaultCoreOptions());

describe('WASM core, softflowd IPFIX (42,048 records per pass)', () => {
  bench('ingest every datagram, then close the window', () => {
    for (const d of datagrams) core.ingest(d.payload, '127.0.0.1', 0);
    core.closeWindow(() => {});
  });
});
