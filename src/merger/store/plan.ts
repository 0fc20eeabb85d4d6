/** Which level's rows answer which part of a time range: the coarsest level that holds a whole period,
 * finer levels for the edges and for what is not rolled up yet. Pure. */
import type { Level } from './schema.js';

/** LevelSpan is what a level holds: rows for the periods in [oldest, upTo). */
export interface LevelSpan {
  oldest: number;
  upTo: number;
}

/** Segment is a part of a range read from one level's table: rows with from <= ts < to. */
export interface Segment {
  level: number; // Index into the levels, finest first.
  from: number;
  to: number;
}

/** floorTo is the start of the l-long period (aligned to the epoch) that holds t. */
export const floorTo = (t: number, l: number): number => Math.floor(t / l) * l;
/** ceilTo is the start of the first l-long period at or after t. */
export const ceilTo = (t: number, l: number): number => Math.ceil(t / l) * l;

/** planSegments covers [from, to) with segments of levels up to `coarsest`, coarse where it can. A finer
 * level's rows older than its retention are gone: where a range starts before them, the coarser level's
 * period that holds the start is read whole (the answer then starts a little earlier than asked). */
export function planSegments(from: number, to: number, levels: Level[], spans: LevelSpan[], coarsest = levels.length - 1): Segment[] {
  const cover = (a: number, b: number, k: number): Segment[] => {
    if (a >= b) return [];
    if (k === 0) return [{ level: 0, from: a, to: b }];
    const l = levels[k].lengthMs;
    const start = a < spans[k - 1].oldest ? floorTo(a, l) : ceilTo(a, l);
    const end = Math.min(floorTo(b, l), floorTo(spans[k].upTo, l));
    if (start >= end) return cover(a, b, k - 1);
    return [...cover(a, start, k - 1), { level: k, from: start, to: end }, ...cover(end, b, k - 1)];
  };
  return cover(from, to, coarsest);
}

/** levelForStep picks the coarsest level whose period divides step; undefined if none does. */
export function levelForStep(step: number, levels: Level[]): number | undefined {
  for (let k = levels.length - 1; k >= 0; k--) if (step % levels[k].lengthMs === 0) return k;
  return undefined;
}
