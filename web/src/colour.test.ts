import { describe, it, expect } from 'vitest';
import { viridis, rampTable, makeScale, decadeTicks } from './colour.js';

describe('colour scales', () => {
  it('runs viridis from dark purple to yellow, getting lighter all the way', () => {
    const near = (a: number[], b: number[]) => a.every((x, i) => Math.abs(x - b[i]!) <= 4); // matplotlib's ends, within the fit's error.
    expect(near(viridis(0), [68, 1, 84])).toBe(true);
    expect(near(viridis(1), [253, 231, 37])).toBe(true);
    const luma = ([r, g, b]: number[]) => 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    for (let i = 1; i <= 255; i++) expect(luma(viridis(i / 255))).toBeGreaterThanOrEqual(luma(viridis((i - 1) / 255)) - 0.5);
    const t = rampTable();
    expect(t[0]! & 0xff).toBe(viridis(0)[0]); // Little-endian RGBA: red in the low byte, alpha opaque.
    expect(t[255]! >>> 24).toBe(255);
  });

  it('maps values on a log scale with the top at the 99.5th percentile, and lists decades', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    values.push(1e9); // One outlier does not flatten the rest.
    const s = makeScale('log', values);
    expect(s.max).toBe(996);
    expect(s.index(1)).toBe(0);
    expect(s.index(996)).toBe(255);
    expect(s.index(1e9)).toBe(255);
    expect(s.index(Math.sqrt(996))).toBe(128);
    expect(makeScale('lin', [0, 50, 100], 100).index(50)).toBe(128);
    expect(decadeTicks(3, 25_000)).toEqual([10, 100, 1000, 10_000]);
    expect(decadeTicks(1, 1)).toEqual([1]);
    expect(decadeTicks(0, 10)).toEqual([]);
  });
});
