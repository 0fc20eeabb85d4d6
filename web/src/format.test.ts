// Unit tests for the pure formatting helpers in format.ts.
import { describe, expect, it } from 'vitest';
import {
  MISSING,
  formatAge,
  formatClock,
  formatDuration,
  formatExact,
  formatRate,
  formatSI,
  perSecond,
  quantity,
  siParts,
} from './format.js';

describe('siParts', () => {
  it('shows integers below 1000 exactly', () => {
    expect(siParts(0)).toEqual({ value: '0', prefix: '' });
    expect(siParts(7)).toEqual({ value: '7', prefix: '' });
    expect(siParts(42)).toEqual({ value: '42', prefix: '' });
    expect(siParts(999)).toEqual({ value: '999', prefix: '' });
  });

  it('keeps 3 significant digits with SI prefixes', () => {
    expect(siParts(1000)).toEqual({ value: '1.00', prefix: 'k' });
    expect(siParts(1234)).toEqual({ value: '1.23', prefix: 'k' });
    expect(siParts(12_345)).toEqual({ value: '12.3', prefix: 'k' });
    expect(siParts(123_456)).toEqual({ value: '123', prefix: 'k' });
    expect(siParts(1_234_567)).toEqual({ value: '1.23', prefix: 'M' });
    expect(siParts(9.87e9)).toEqual({ value: '9.87', prefix: 'G' });
    expect(siParts(4.5e12)).toEqual({ value: '4.50', prefix: 'T' });
  });

  it('rounds half up at the third digit', () => {
    expect(siParts(1235)).toEqual({ value: '1.24', prefix: 'k' });
    expect(siParts(99_949)).toEqual({ value: '99.9', prefix: 'k' });
  });

  it('moves to the next prefix when rounding reaches 1000', () => {
    expect(siParts(999_999)).toEqual({ value: '1.00', prefix: 'M' });
    expect(siParts(999.96)).toEqual({ value: '1.00', prefix: 'k' });
    expect(siParts(999_500_000)).toEqual({ value: '1.00', prefix: 'G' });
  });

  it('gives fractions 3 significant digits', () => {
    expect(siParts(0.5)).toEqual({ value: '0.500', prefix: '' });
    expect(siParts(0.1)).toEqual({ value: '0.100', prefix: '' });
    expect(siParts(2.5)).toEqual({ value: '2.50', prefix: '' });
    expect(siParts(12.34)).toEqual({ value: '12.3', prefix: '' });
    expect(siParts(0.0012345)).toEqual({ value: '0.00123', prefix: '' });
    expect(siParts(0.99999)).toEqual({ value: '1.00', prefix: '' });
  });

  it('never uses exponent notation', () => {
    expect(siParts(1e-9)).toEqual({ value: '<0.001', prefix: '' });
    expect(siParts(1.5e18)).toEqual({ value: '1.50', prefix: 'E' });
    expect(siParts(2.5e22)).toEqual({ value: '25000', prefix: 'E' });
  });

  it('handles negative numbers symmetrically', () => {
    expect(siParts(-1234)).toEqual({ value: '-1.23', prefix: 'k' });
    expect(siParts(-5)).toEqual({ value: '-5', prefix: '' });
    expect(siParts(-0)).toEqual({ value: '0', prefix: '' });
  });

  it('marks non-finite input as missing, never as zero', () => {
    expect(siParts(Number.NaN).value).toBe(MISSING);
    expect(siParts(Number.POSITIVE_INFINITY).value).toBe(MISSING);
  });
});

describe('quantity and formatSI', () => {
  it('joins the prefix to symbol units', () => {
    expect(quantity(1.234e9, 'bit/s')).toEqual({ value: '1.23', unit: 'Gbit/s' });
    expect(quantity(2048, 'B')).toEqual({ value: '2.05', unit: 'kB' });
    expect(formatSI(800, 'bit/s')).toBe('800 bit/s');
    expect(formatSI(1.5e6, 'B')).toBe('1.50 MB');
  });

  it('separates the prefix from word units', () => {
    expect(quantity(12_345, 'flows/s')).toEqual({ value: '12.3', unit: 'k flows/s' });
    expect(formatSI(45, 'pkt/s')).toBe('45 pkt/s');
    expect(formatSI(4.56e6, 'pkt/s')).toBe('4.56 M pkt/s');
  });

  it('shows the bare prefix without a unit', () => {
    expect(quantity(12_345)).toEqual({ value: '12.3', unit: 'k' });
    expect(formatSI(12_345)).toBe('12.3 k');
    expect(formatSI(42)).toBe('42');
  });

  it('shows missing values as a dash without the unit', () => {
    expect(formatSI(Number.NaN, 'bit/s')).toBe(MISSING);
    expect(quantity(Number.NaN, 'bit/s')).toEqual({ value: MISSING, unit: 'bit/s' });
  });
});

describe('rates', () => {
  it('divides by the window length in seconds', () => {
    expect(perSecond(123, 10_000)).toBeCloseTo(12.3);
    expect(perSecond(60, 60_000)).toBe(1);
  });

  it('is NaN (missing) for a non-positive window length', () => {
    expect(perSecond(5, 0)).toBeNaN();
    expect(perSecond(5, -1000)).toBeNaN();
  });

  it('formats with the unit per second', () => {
    expect(formatRate(789 * 8, 10_000, 'bit')).toBe('631 bit/s');
    expect(formatRate(1.25e9 * 8, 10_000, 'bit')).toBe('1.00 Gbit/s');
    expect(formatRate(123, 10_000, 'flows')).toBe('12.3 flows/s');
    expect(formatRate(456_000, 10_000, 'pkt')).toBe('45.6 k pkt/s');
    expect(formatRate(1, 10_000, 'flows')).toBe('0.100 flows/s');
  });
});

describe('formatExact', () => {
  it('groups digits', () => {
    expect(formatExact(1_234_567)).toBe('1,234,567');
    expect(formatExact(0)).toBe('0');
    expect(formatExact(12.3456)).toBe('12.346');
    expect(formatExact(Number.NaN)).toBe(MISSING);
  });
});

describe('durations and ages', () => {
  it('formats durations in the largest sensible units', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(500)).toBe('500 ms');
    expect(formatDuration(10_000)).toBe('10 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(90_000)).toBe('1 min 30 s');
    expect(formatDuration(3_600_000)).toBe('1 h');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
    expect(formatDuration(86_400_000 + 4 * 3_600_000)).toBe('1 d 4 h');
    expect(formatDuration(-1)).toBe(MISSING);
  });

  it('counts ages in whole seconds, never negative', () => {
    expect(formatAge(0)).toBe('0 s ago');
    expect(formatAge(2_900)).toBe('2 s ago');
    expect(formatAge(-3_000)).toBe('0 s ago');
    expect(formatAge(65_000)).toBe('1 min 5 s ago');
    expect(formatAge(Number.NaN)).toBe(MISSING);
  });
});

describe('formatClock', () => {
  const t = Date.UTC(2023, 10, 14, 12, 0, 10, 999);

  it('formats UTC time as HH:MM:SS', () => {
    expect(formatClock(t, true)).toBe('12:00:10');
    expect(formatClock(Date.UTC(2023, 0, 1, 3, 4, 5), true)).toBe('03:04:05');
  });

  it('formats local time as HH:MM:SS', () => {
    const d = new Date(t);
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(formatClock(t)).toBe(`${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`);
  });

  it('marks a non-finite time as missing', () => {
    expect(formatClock(Number.NaN)).toBe(MISSING);
  });
});
