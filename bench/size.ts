// Sizes: the core's WASM memory per host of table budget, and the frame bytes per active host per window.
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync, deflateRawSync } from 'node:zlib';
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

// A frame per window of the capture's datagrams: all as one window, and in windows of 500 datagrams (the
// demo's replay of 50 datagrams/s with 10-second windows; the capture's own datagrams span 4 ms).
for (const name of ['ipfix-ms', 'nfv5']) {
  for (const perWindow of [Infinity, 500]) {
    const core = new FlowCore({ ...defaultCoreOptions(), templateLifetimeMs: 0 });
    const writer = new FrameWriter();
    const datagrams = readCaptureFile(join(FIXTURES, `softflowd/softflowd-${name}.pcap.gz`)).datagrams;
    let bytes = 0, wire = 0, hosts = 0, windows = 0;
    const close = () => {
      hosts += core.windowHosts();
      writer.begin({ probeId: 'probe-1', windowStart: 0, windowLength: 10_000, sequence: 1, stats: [] });
      core.closeWindow((family, addr, off, values, distinct) => writer.host(family, addr, off, values, distinct));
      const frame = writer.finish();
      bytes += frame.length;
      // On the wire the probe deflates each frame on its own (permessage-deflate, level 6, no context
      // takeover), which drops the stream's 4-byte 00 00 ff ff tail (RFC 7692 7.2.1).
      wire += deflateRawSync(frame, { level: 6 }).length - 4;
      windows++;
    };
    datagrams.forEach((d, i) => {
      core.ingest(d.payload, d.source, d.timeMs);
      if ((i + 1) % perWindow === 0) close();
    });
    if (datagrams.length % perWindow !== 0) close();
    const label = perWindow === Infinity ? 'as one window' : `in ${windows} windows of ${perWindow} datagrams`;
    console.log(`| frames of softflowd-${name} ${label} (${hosts} host entries) | ${bytes} bytes, ${(bytes / hosts).toFixed(1)} bytes per host per window; deflated on the wire ${wire} bytes, ${(wire / hosts).toFixed(1)} |`);
  }
}

// The UI bundle as the merger serves it (npm run build:web).
const bundle = join(FIXTURES, '../../dist/web/main.js');
if (existsSync(bundle)) {
  const bytes = readFileSync(bundle);
  console.log(`| UI bundle (dist/web/main.js) | ${bytes.length} bytes, ${gzipSync(bytes).length} gzipped |`);
}
