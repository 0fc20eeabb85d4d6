// Sizes: the core's WASM memory per host of table budget, and the frame bytes per active host per window.
import { join } from 'node:path';
import { FlowCore, defaultCoreOptions } from '../src/wasm/core.js';
import { FrameWriter } from '../src/protocol/frame.js';
import { readCaptureFile } from '../src/pcap/reader.js';
import { FIXTURES } from '../test/helpers/fixtures.js';

const memory = (maxHosts: number) => {
  const core = new FlowCore({ ...defaultCoreOptions(), maxHosts });
  return (core as unknown as { _wasm: { memory: WebAssembly.Memory } })._wasm.memory.buffer.byteLength;
};
const small = memory(1_000), large = memory(1_000_000);
console.log(`| WASM memory, --max-hosts 1,000 | ${(small / 1e6).toFixed(1)} MB |`);
console.log(`| WASM memory, --max-hosts 1,000,000 | ${(large / 1e6).toFixed(1)} MB |`);
console.log(`| core memory per host of budget | ${((large - small) / 999_000).toFixed(0)} bytes |`);

for (const name of ['ipfix-ms', 'nfv5']) {
  const core = new FlowCore({ ...defaultCoreOptions(), templateLifetimeMs: 0 });
  for (const d of readCaptureFile(join(FIXTURES, `softflowd/softflowd-${name}.pcap.gz`)).datagrams) core.ingest(d.payload, d.source, d.timeMs);
  const writer = new FrameWriter();
  const hosts = core.windowHosts();
  writer.begin({ probeId: 'probe-1', windowStart: 0, windowLength: 10_000, sequence: 1, stats: [] });
  core.closeWindow((family, addr, off, values, distinct) => writer.host(family, addr, off, values, distinct));
  const bytes = writer.finish().length;
  console.log(`| frame of softflowd-${name} as one window (${hosts} hosts) | ${bytes} bytes, ${(bytes / hosts).toFixed(1)} bytes per host |`);
}
