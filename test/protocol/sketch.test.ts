import { describe, it, expect } from 'vitest';
import { DistinctSketch, estimateRegisters } from '../../src/protocol/sketch.js';
import { SKETCH_EXACT_LIMIT, SKETCH_REGISTERS, SKETCH_MAX_RANK } from '../../src/protocol/messages.js';

/** values makes n distinct non-zero pseudo-random 32-bit values (a bijective mix of seed-offset integers). */
function values(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let x = (i + seed * 0x9e3779b9) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    out[i] = (x ^ (x >>> 16)) >>> 0 || 1;
  }
  return out;
}

const same = (a: DistinctSketch, b: DistinctSketch) => expect({ exact: a.exact, registers: a.registers }).toEqual({ exact: b.exact, registers: b.registers });

describe('DistinctSketch', () => {
  it('counts exactly up to the exact limit, duplicates included', () => {
    for (const n of [1, 2, 3, 16, 17, 100, SKETCH_EXACT_LIMIT]) {
      const v = values(n, n);
      const s = DistinctSketch.ofValues([...v, ...v.subarray(0, n >> 1)]);
      expect(s.registers, `${n}`).toBeUndefined();
      expect(s.estimate(), `${n}`).toBe(n);
    }
    expect(DistinctSketch.ofValues(values(SKETCH_EXACT_LIMIT + 1, 1)).registers).toBeDefined();
  });

  it('stays within 2 % at 10^3, 10^4, 10^5 and 10^6 distinct values over many seeds', () => {
    const report: string[] = [];
    for (const [n, seeds] of [[1e3, 40], [1e4, 40], [1e5, 20], [1e6, 6]] as const) {
      let sumSq = 0, worst = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const err = DistinctSketch.ofValues(values(n, seed)).estimate() / n - 1;
        sumSq += err * err;
        worst = Math.max(worst, Math.abs(err));
      }
      const rms = Math.sqrt(sumSq / seeds);
      report.push(`${n}: rms ${(rms * 100).toFixed(2)} %, worst ${(worst * 100).toFixed(2)} %`);
      // 32,768 registers: a standard error of 1.04 / 181 = 0.57 % (less while few registers are set).
      expect(rms, report.join('; ')).toBeLessThan(0.009);
      expect(worst, report.join("; ")).toBeLessThan(0.02);
      if (process.env.SKETCH_REPORT) console.log(report.at(-1));
    }
  });

  it('unions to the sketch of the union, in every pair of forms', () => {
    const all = values(20_000, 7);
    const cases: [number, number, number][] = [[0, 100, 200], [0, 200, 300], [0, 100, 20_000], [0, 5_000, 20_000], [0, 150, 150]];
    for (const [a, cut, b] of cases) {
      const left = DistinctSketch.ofValues(all.subarray(a, cut));
      const right = DistinctSketch.ofValues(all.subarray(Math.max(0, cut - 50), b)); // Overlapping by 50.
      same(left.clone().union(right), DistinctSketch.ofValues(all.subarray(a, b)));
      same(right.clone().union(left), DistinctSketch.ofValues(all.subarray(a, b)));
    }
  });

  it('merges commutatively and associatively', () => {
    const parts = [values(120, 1), values(200, 2), values(3_000, 3), values(40, 4)].map((v) => DistinctSketch.ofValues(v));
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]];
    const results = orders.map((o) => o.reduce((acc, i) => acc.union(parts[i]), parts[o[0]].clone()));
    for (const r of results) same(r, results[0]);
    // (a ∪ b) ∪ (c ∪ d) = a ∪ (b ∪ (c ∪ d))
    const grouped = parts[0].clone().union(parts[1]).union(parts[2].clone().union(parts[3]));
    const nested = parts[0].clone().union(parts[1].clone().union(parts[2].clone().union(parts[3])));
    same(grouped, nested);
    same(grouped, results[0]);
  });

  it('estimates empty and saturated registers without dividing by zero', () => {
    expect(estimateRegisters(new Uint8Array(SKETCH_REGISTERS))).toBe(0);
    expect(Number.isFinite(estimateRegisters(new Uint8Array(SKETCH_REGISTERS).fill(SKETCH_MAX_RANK)))).toBe(true);
  });
});
