// Sizes: the core's WASM memory per host of table budget, and the frame bytes per active host per window.
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync, deflateRawSync } from 'node:zlib';
import { FlowCore, defaultCoreOptions } from '../src/wasm/core.js';
import { FrameWriter } from '../src/protocol/frame.js';
import { HOST_FIELD_COUNT, DISTINCT_COUNT, FIRST_SEEN, LAST_SEEN } from '../src/protocol/messages.js';
import type { SketchSource } from '../src/protocol/sketch.js';
import { readCaptureFile } from '../src/pcap/reader.js';
import { FIXTURES } from '../test/helpers/fixtures.js';
import { decodeCaptures } from '../src/offline/decode.js';
import { FRAME_DEFLATE_LEVEL } from '../src/probe/uplink.js';

const memory = (maxHosts: number) => {
  const core = new FlowCore({ ...defaultCoreOptions(), maxHosts });
  return (core as unknown as { _wasm: { memory: WebAssembly.Memory } })._wasm.memory.buffer.byteLength;
};
const small = memory(1_000), large = memory(1_000_000);
console.log(`| WASM memory, --max-hosts 1,000 | ${(small / 1e6).toFixed(1)} MB |`);
console.log(`| WASM memory, --max-hosts 1,000,000 | ${(large / 1e6).toFixed(1)} MB |`);
console.log(`| core memory per host of budget | ${((large - small) / 999_000).toFixed(0)} bytes |`);

// A frame per window of the capture's datagrams: all as one window, and in windows of 500 datagrams (the
// demo's replay of 50 datagrams/s with 10-second windows; the capture's own datagrams span 4 ms). The
// window starts where a live probe's would: softflowd, reading a capture, exported every flow when the
// capture ended, so the window is the one holding the capture's last flow end (frames carry the times
// as offsets from it). leaveOut, if given, blanks part of each host to measure what that part costs.
type Part = (values: Float64Array, distinct: (SketchSource | undefined)[]) => void;
const windowStarts = new Map<string, number>();
/** windowStartOf is the start of the 10-second window holding the capture's last flow end. */
function windowStartOf(file: string): number {
  let start = windowStarts.get(file);
  if (start === undefined) {
    let lastEnd = 0;
    decodeCaptures([file], (e) => { if (e.type === 'flow') lastEnd = Math.max(lastEnd, e.endMs); });
    windowStarts.set(file, start = Math.floor(lastEnd / 10_000) * 10_000);
  }
  return start;
}
function frames(name: string, perWindow: number, leaveOut?: Part) {
  const core = new FlowCore({ ...defaultCoreOptions(), templateLifetimeMs: 0 });
  const writer = new FrameWriter();
  const file = join(FIXTURES, `softflowd/softflowd-${name}.pcap.gz`);
  const datagrams = readCaptureFile(file).datagrams;
  const windowStart = windowStartOf(file);
  const values = new Float64Array(HOST_FIELD_COUNT), distinct = new Array<SketchSource | undefined>(DISTINCT_COUNT);
  let bytes = 0, wire = 0, hosts = 0, windows = 0;
  const close = () => {
    hosts += core.windowHosts();
    writer.begin({ probeId: 'probe-1', windowStart, windowLength: 10_000, sequence: 1, stats: [] });
    core.closeWindow((family, addr, off, v, d) => {
      values.set(v);
      for (let j = 0; j < DISTINCT_COUNT; j++) distinct[j] = d[j];
      leaveOut?.(values, distinct);
      writer.host(family, addr, off, values, distinct);
    });
    const frame = writer.finish();
    bytes += frame.length;
    // On the wire the probe deflates each frame on its own (permessage-deflate, FRAME_DEFLATE_LEVEL, no context
    // takeover), which drops the stream's 4-byte 00 00 ff ff tail (RFC 7692 7.2.1).
    wire += deflateRawSync(frame, { level: FRAME_DEFLATE_LEVEL }).length - 4;
    windows++;
  };
  datagrams.forEach((d, i) => {
    core.ingest(d.payload, d.source, d.timeMs);
    if ((i + 1) % perWindow === 0) close();
  });
  if (datagrams.length % perWindow !== 0) close();
  return { bytes, wire, hosts, windows };
}

for (const name of ['ipfix-ms', 'nfv5']) {
  for (const perWindow of [Infinity, 500]) {
    const { bytes, wire, hosts, windows } = frames(name, perWindow);
    const label = perWindow === Infinity ? 'as one window' : `in ${windows} windows of ${perWindow} datagrams`;
    console.log(`| frames of softflowd-${name} ${label} (${hosts} host entries) | ${bytes} bytes, ${(bytes / hosts).toFixed(1)} bytes per host per window; deflated on the wire ${wire} bytes, ${(wire / hosts).toFixed(1)} |`);
  }
}

// What each part of a host costs: the same frames without it (softflowd-ipfix-ms, 500-datagram windows).
const blank = (v: Float64Array, from: number, to: number) => v.fill(0, from, to);
const parts: [string, Part][] = [
  ['peer sets', (_, d) => { d[0] = d[1] = undefined; }],
  ['port sets', (_, d) => { d[2] = d[3] = undefined; }],
  ['first and last seen', (v) => blank(v, FIRST_SEEN, LAST_SEEN + 1)],
  ['TCP flag and protocol counts', (v) => blank(v, 6, FIRST_SEEN)],
  ['all four sets', (_, d) => d.fill(undefined)],
  ['all but the addresses', (v, d) => { v.fill(0); d.fill(undefined); }],
];
const whole = frames('ipfix-ms', 500);
for (const [part, leaveOut] of parts) {
  const without = frames('ipfix-ms', 500, leaveOut);
  const cost = (a: number, b: number) => ((a - b) / whole.hosts).toFixed(1);
  console.log(`| ${part} | ${cost(whole.bytes, without.bytes)} bytes per host per window; on the wire ${cost(whole.wire, without.wire)} |`);
}

// The UI bundle as the merger serves it (npm run build:web).
const bundle = join(FIXTURES, '../../dist/web/main.js');
if (existsSync(bundle)) {
  const bytes = readFileSync(bundle);
  console.log(`| UI bundle (dist/web/main.js) | ${bytes.length} bytes, ${gzipSync(bytes).length} gzipped |`);
}
