import { describe, it, expect } from 'vitest';
import { newCore, windowRows } from '../helpers/core.js';
import { message, set, templateSet, templateRecord, IE, type Field } from '../helpers/ipfix.js';
import { DistinctSketch } from '../../src/protocol/sketch.js';
import { DISTINCT_COUNT } from '../../src/protocol/messages.js';
import type { FlowCore } from '../../src/wasm/core.js';

// Distinct counts through the real WASM core: addresses and ports hashed and sketched by the core.
const TEMPLATE: Field[] = [[IE.sourceIPv4Address, 4], [IE.destinationIPv4Address, 4], [IE.sourceTransportPort, 2],
  [IE.destinationTransportPort, 2], [IE.protocolIdentifier, 1]];
const RECORD = 13;
const PER_MESSAGE = 100;

/** send feeds flows src -> dst(i) on port(i) for i in [from, to), 100 records a message. */
function send(core: FlowCore, src: number, dst: (i: number) => number, port: (i: number) => number, from: number, to: number): void {
  for (let i = from; i < to; i += PER_MESSAGE) {
    const n = Math.min(PER_MESSAGE, to - i);
    const body = new Array<number>(n * RECORD);
    for (let k = 0; k < n; k++) {
      const d = dst(i + k) >>> 0, p = port(i + k), o = k * RECORD;
      body[o] = src >>> 24; body[o + 1] = (src >>> 16) & 255; body[o + 2] = (src >>> 8) & 255; body[o + 3] = src & 255;
      body[o + 4] = d >>> 24; body[o + 5] = (d >>> 16) & 255; body[o + 6] = (d >>> 8) & 255; body[o + 7] = d & 255;
      body[o + 8] = 0x30; body[o + 9] = 0x39; body[o + 10] = p >> 8; body[o + 11] = p & 255; body[o + 12] = 17;
    }
    core.ingest(message(0, set(256, body)), '192.0.2.1', 0);
  }
}

function coreWithTemplate(options = {}): FlowCore {
  const core = newCore(options);
  core.ingest(message(0, templateSet(templateRecord(256, TEMPLATE))), '192.0.2.1', 0);
  return core;
}

const SRC = 0x0a000001; // 10.0.0.1
const BASE = 0x0b000000; // Peers from 11.0.0.0 on: consecutive addresses, the hash's hardest case.

/** sketchesOf closes the window and copies each host's sketches out of the core. */
function sketchesOf(core: FlowCore): Map<string, (DistinctSketch | undefined)[]> {
  const out = new Map<string, (DistinctSketch | undefined)[]>();
  core.closeWindow((family, addr, off, _values, distinct) => {
    out.set([...addr.subarray(off, off + 4)].join('.'), distinct.map((d) => d && DistinctSketch.ofSource(d)));
  });
  return out;
}

describe('distinct counts in the core', () => {
  it('counts a host\'s peers within 2 % at 10^3 .. 10^6 distinct addresses, over several address ranges', () => {
    for (const [n, seeds] of [[1e3, 8], [1e4, 8], [1e5, 4], [1e6, 2]] as const) {
      for (let seed = 0; seed < seeds; seed++) {
        const core = coreWithTemplate();
        send(core, SRC, (i) => BASE + seed * 0x0100_0000 + i, (i) => i & 0xffff, 0, n);
        const peers = windowRows(core).get('10.0.0.1')!.peers_out;
        expect(Math.abs(peers / n - 1), `${n} peers (seed ${seed}): ${peers}`).toBeLessThan(0.02);
      }
    }
  });

  it('counts ports exactly up to the exact limit and each repeated value once', () => {
    const core = coreWithTemplate();
    send(core, SRC, (i) => BASE + (i % 200), (i) => 1000 + (i % 256), 0, 5000);
    const row = windowRows(core).get('10.0.0.1')!;
    expect([row.peers_out, row.dst_ports_out, row.flows_out]).toEqual([200, 256, 5000]);
  });

  it('gives two probes\' sketches of one host a union equal to the sketch one probe makes of everything', () => {
    const dst = (i: number) => BASE + i * 7;
    const port = (i: number) => (i * 13) & 0xffff;
    for (const [n, cut, overlap] of [[150, 100, 30], [400, 200, 100], [50_000, 20_000, 5_000]]) {
      const one = coreWithTemplate(), a = coreWithTemplate(), b = coreWithTemplate();
      send(one, SRC, dst, port, 0, n);
      send(a, SRC, dst, port, 0, cut);
      send(b, SRC, dst, port, cut - overlap, n);
      const whole = sketchesOf(one).get('10.0.0.1')!;
      const left = sketchesOf(a).get('10.0.0.1')!;
      const right = sketchesOf(b).get('10.0.0.1')!;
      for (let j = 0; j < DISTINCT_COUNT; j++) {
        const merged = left[j] && right[j] ? left[j]!.clone().union(right[j]!) : undefined;
        expect(merged && { exact: merged.exact, registers: merged.registers }, `${n} values, sketch ${j}`)
          .toEqual(whole[j] && { exact: whole[j]!.exact, registers: whole[j]!.registers });
      }
    }
  });

  it('keeps a set of a few hundred values as a sparse HyperLogLog of a few KiB, and turns dense only beyond', () => {
    for (const [n, maxBytes] of [[300, 16 << 10], [1_000, 24 << 10], [5_000, 64 << 10]] as const) {
      const core = coreWithTemplate();
      send(core, SRC, (i) => BASE + i * 3, () => 80, 0, n);
      const peers = windowRows(core).get('10.0.0.1')!.peers_out; // Closing the window reports the arena used.
      expect(Math.abs(peers / n - 1), `${n} peers: ${peers}`).toBeLessThan(0.02);
      const used = core.stats().sketchBytes; // The host's one large set, and the 10.x.y.z destinations' single peers.
      expect(used, `${n} values`).toBeLessThan(maxBytes);
      if (n <= 1_000) expect(used).toBeLessThan(32 << 10); // Below what the dense registers alone would take.
    }
  });

  it('counts the values it could not keep when the sketch memory is full, and keeps every counter', () => {
    const core = coreWithTemplate({ sketchBytes: 4096 });
    for (let h = 0; h < 50; h++) send(core, SRC + h, (i) => BASE + i, (i) => i, 0, 300);
    const rows = windowRows(core);
    expect(rows.size).toBe(50 + 300);
    expect([...rows.values()].reduce((s, r) => s + r.flows_out, 0)).toBe(15_000);
    expect(core.stats().sketchValuesDropped).toBeGreaterThan(0);
    // Memory is handed back at the close: the next window has room again.
    send(core, SRC, (i) => BASE + i, (i) => i, 0, 100);
    expect(windowRows(core).get('10.0.0.1')!.peers_out).toBe(100);
  });
});
