import { describe, it, expect } from 'vitest';
import { WindowMerger, type CompletedWindow } from '../../src/merger/merge.js';
import { HOST_FIELD_COUNT, type WindowFrame } from '../../src/protocol/messages.js';
import { DistinctSketch } from '../../src/protocol/sketch.js';

const W = 10_000;
function frame(probeId: string, windowStart: number, sequence: number, hosts: Record<string, number[]>): WindowFrame {
  return {
    probeId, windowStart, windowLength: W, sequence, stats: [],
    hosts: Object.entries(hosts).map(([host, v]) => ({ host, values: Float64Array.from([...v, ...new Array(HOST_FIELD_COUNT).fill(0)].slice(0, HOST_FIELD_COUNT)), distinct: [] })),
  };
}

function setup() {
  const done: CompletedWindow[] = [];
  const m = new WindowMerger(W, 2, (w) => done.push(w));
  return { m, done };
}

describe('WindowMerger', () => {
  it('adds counters of the same host from two probes and completes the window when both reported', () => {
    const { m, done } = setup();
    m.probeUp('a');
    m.probeUp('b');
    expect(m.merge(frame('a', 0, 1, { '10.0.0.1': [1, 2, 3] }), 5_000)).toBe('merged');
    expect(done).toEqual([]);
    expect(m.merge(frame('b', 0, 7, { '10.0.0.1': [1, 1, 1, 4, 4, 4], '10.0.0.2': [0, 0, 0, 1, 1, 1] }), 5_000)).toBe('merged');
    expect(done).toHaveLength(1);
    expect([...done[0].hosts.get('10.0.0.1')!.values.slice(0, 6)]).toEqual([2, 3, 4, 4, 4, 4]);
    expect(done[0].probes.sort()).toEqual(['a', 'b']);
  });

  it('unions the distinct-count sketches of a host seen by two probes, so shared peers count once', () => {
    const { m, done } = setup();
    m.probeUp('a');
    m.probeUp('b');
    const peers = (from: number, to: number) => DistinctSketch.ofValues(Array.from({ length: to - from }, (_, i) => 1000 + from + i));
    const a = frame('a', 0, 1, { '10.0.0.1': [1] });
    const b = frame('b', 0, 1, { '10.0.0.1': [1] });
    a.hosts[0].distinct = [peers(0, 200)];
    b.hosts[0].distinct = [peers(100, 250), undefined, peers(0, 3)];
    m.merge(a, 1);
    m.merge(b, 1);
    const merged = done[0].hosts.get('10.0.0.1')!.distinct;
    expect(merged.map((d) => d?.estimate())).toEqual([250, undefined, 3]);
    expect(a.hosts[0].distinct[0]!.estimate()).toBe(200); // The frames themselves are left as they came.
  });

  it('refuses frames that would take the open windows past their memory budget, and takes them again once a window completes', () => {
    const done: CompletedWindow[] = [];
    const m = new WindowMerger(W, 2, (w) => done.push(w), 100_000);
    m.probeUp('a');
    const heavy = (start: number, sequence: number) => {
      const f = frame('a', start, sequence, { '10.0.0.1': [1] });
      const regs = new Uint8Array(32_768);
      regs[0] = 1; // One register: a few bytes on the wire, 32 KiB decoded.
      f.hosts[0].distinct = [DistinctSketch.ofRegisters(regs), DistinctSketch.ofRegisters(regs.slice()), DistinctSketch.ofRegisters(regs.slice())];
      return { ...f, moreParts: true };
    };
    expect(m.merge(heavy(0, 1), 1)).toBe('merged');
    expect(m.merge(heavy(0, 2), 1)).toBe('over_memory');
    expect(m.stats.over_memory).toBe(1);
    expect(m.pendingBytes).toBeGreaterThan(98_000);
    m.tick(3 * W); // Grace over: the window completes and hands its memory back.
    expect(done).toHaveLength(1);
    expect(m.pendingBytes).toBe(0);
    expect(m.merge(heavy(3 * W, 3), 3 * W)).toBe('merged');
  });

  it('ignores a duplicate frame (same probe and sequence)', () => {
    const { m, done } = setup();
    m.probeUp('a');
    m.probeUp('b');
    m.merge(frame('a', 0, 1, { '10.0.0.1': [1, 1, 1] }), 1);
    expect(m.merge(frame('a', 0, 1, { '10.0.0.1': [1, 1, 1] }), 1)).toBe('duplicate');
    m.merge(frame('b', 0, 1, {}), 1);
    expect([...done[0].hosts.get('10.0.0.1')!.values.slice(0, 3)]).toEqual([1, 1, 1]);
    expect(m.stats).toMatchObject({ merged: 2, duplicate: 1 });
  });

  it('completes a window after its grace period when a probe stays silent, and counts later frames as late', () => {
    const { m, done } = setup();
    m.probeUp('a');
    m.probeUp('silent');
    m.merge(frame('a', 0, 1, { '10.0.0.1': [1] }), 9_000);
    m.tick(29_999);
    expect(done).toEqual([]);
    m.tick(30_000); // Window end (10 s) + 2 windows of grace.
    expect(done.map((w) => w.start)).toEqual([0]);
    expect(m.merge(frame('silent', 0, 1, { '10.0.0.1': [5] }), 30_001)).toBe('late');
  });

  it('completes windows in order, and does not wait for a probe that disconnected', () => {
    const { m, done } = setup();
    m.probeUp('a');
    m.probeUp('b');
    m.merge(frame('a', 0, 1, {}), 1);
    m.merge(frame('a', W, 2, {}), W + 1);
    expect(done).toEqual([]);
    m.probeDown('b', W + 2);
    expect(done.map((w) => w.start)).toEqual([0, W]);
  });

  it('refuses frames of another window length, and from too far in the future', () => {
    const { m } = setup();
    m.probeUp('a');
    expect(m.merge({ ...frame('a', 0, 1, {}), windowLength: 5_000 }, 1)).toBe('wrong_window');
    expect(m.merge(frame('a', 5 * W, 1, {}), 1)).toBe('future');
  });
});

describe('WindowMerger with windows in several parts', () => {
  it('merges every part and completes the window only once the last part is in', () => {
    const { m, done } = setup();
    m.probeUp('big');
    m.merge({ ...frame('big', 0, 1, { '10.0.0.1': [1] }), moreParts: true }, 1);
    m.merge({ ...frame('big', 0, 2, { '10.0.0.2': [2] }), moreParts: true }, 1);
    expect(done).toEqual([]);
    m.merge(frame('big', 0, 3, { '10.0.0.3': [3] }), 1);
    expect(done).toHaveLength(1);
    expect([...done[0].hosts.keys()].sort()).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });
});
