import { bench, describe } from 'vitest';
import { benchOptions, SMOKE } from './options.js';
import { WindowMerger } from '../src/merger/merge.js';
import { FrameWriter, decodeFrame } from '../src/protocol/frame.js';
import { HOST_FIELD_COUNT, FAMILY_IPV4, type WindowFrame } from '../src/protocol/messages.js';

// The merger's in-memory merge: P probes each send one window of 1,000 hosts (drawn from 10,000, so
// probes overlap and counters add and sketches union), every host with three peers and two ports.
// Names carry [host-deltas, frame bytes] per pass. DuckDB history is issue 6's and not measured here.
const HOSTS_PER_FRAME = 1_000;
const POOL = 10_000;

function frames(probes: number): Uint8Array[] {
  let s = probes;
  const rnd = (n: number) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s % n; };
  const writer = new FrameWriter();
  const values = new Float64Array(HOST_FIELD_COUNT);
  const addr = new Uint8Array(4);
  return Array.from({ length: probes }, (_, p) => {
    writer.begin({ probeId: `probe-${p}`, windowStart: 10_000, windowLength: 10_000, sequence: 1, stats: [] });
    for (let h = 0; h < HOSTS_PER_FRAME; h++) {
      const host = rnd(POOL);
      addr.set([10, 0, host >> 8, host & 255]);
      values.fill(0);
      values[0] = 1 + rnd(20); values[1] = 3 * values[0]; values[2] = 900 * values[0];
      const peers = { exact: [1 + rnd(2 ** 31), 1 + rnd(2 ** 31), 1 + rnd(2 ** 31)] };
      const ports = { exact: [1 + rnd(2 ** 31), 1 + rnd(2 ** 31)] };
      writer.host(FAMILY_IPV4, addr, 0, values, [peers, undefined, ports, undefined]);
    }
    return writer.finish();
  });
}

for (const probes of SMOKE ? [10] : [10, 100]) {
  describe(`merger with ${probes} probes`, () => {
    const bytes = frames(probes);
    const size = bytes.reduce((n, b) => n + b.length, 0);
    const decoded: WindowFrame[] = bytes.map((b) => decodeFrame(b));
    bench(`decode ${probes} frames [${probes * HOSTS_PER_FRAME} host-deltas, ${size} bytes]`, () => {
      for (const b of bytes) decodeFrame(b);
    }, benchOptions);
    bench(`merge ${probes} decoded frames into one window and complete it [${probes * HOSTS_PER_FRAME} host-deltas, ${size} bytes]`, () => {
      let completed = 0;
      const m = new WindowMerger(10_000, 2, () => { completed++; });
      for (let p = 0; p < probes; p++) m.probeUp(`probe-${p}`);
      for (const f of decoded) m.merge(f, 15_000);
      if (completed !== 1) throw new Error('the window did not complete');
    }, benchOptions);
  });
}
