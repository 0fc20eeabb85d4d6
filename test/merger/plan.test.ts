import { describe, it, expect } from 'vitest';
import { planSegments, levelForStep, type LevelSpan } from '../../src/merger/store/plan.js';
import { levelsFor } from '../../src/merger/store/schema.js';

const M = 60_000, H = 3_600_000;
const levels = levelsFor(10_000);
const all = (upTo: number): LevelSpan[] => [{ oldest: 0, upTo }, { oldest: 0, upTo }, { oldest: 0, upTo }];

describe('planSegments', () => {
  it('reads whole hours from hours, whole minutes from minutes, the edges from windows', () => {
    const from = 2 * H - 90_000, to = 5 * H + 70_000; // 01:58:30 .. 05:01:10
    expect(planSegments(from, to, levels, all(10 * H))).toEqual([
      { level: 0, from, to: 2 * H - M },
      { level: 1, from: 2 * H - M, to: 2 * H },
      { level: 2, from: 2 * H, to: 5 * H },
      { level: 1, from: 5 * H, to: 5 * H + M },
      { level: 0, from: 5 * H + M, to },
    ]);
  });

  it('reads what is not rolled up yet from the finer levels', () => {
    // Minutes written up to 05:03, hours up to 05:00, windows up to 05:03:40.
    const spans = [{ oldest: 0, upTo: 5 * H + 3 * M + 40_000 }, { oldest: 0, upTo: 5 * H + 3 * M }, { oldest: 0, upTo: 5 * H }];
    expect(planSegments(4 * H, 6 * H, levels, spans)).toEqual([
      { level: 2, from: 4 * H, to: 5 * H },
      { level: 1, from: 5 * H, to: 5 * H + 3 * M },
      { level: 0, from: 5 * H + 3 * M, to: 6 * H },
    ]);
  });

  it('reads a coarser period whole where the finer rows are past their retention', () => {
    const spans = [{ oldest: 20 * H, upTo: 30 * H }, { oldest: 10 * H, upTo: 30 * H }, { oldest: 0, upTo: 30 * H }];
    expect(planSegments(5 * H + 10 * M, 6 * H, levels, spans)).toEqual([{ level: 2, from: 5 * H, to: 6 * H }]);
    expect(planSegments(12 * H + 30_000, 12 * H + 2 * M, levels, spans)).toEqual([{ level: 1, from: 12 * H, to: 12 * H + 2 * M }]);
  });

  it('stops at the level asked for (a series step)', () => {
    expect(planSegments(0, 2 * H, levels, all(10 * H), 1)).toEqual([{ level: 1, from: 0, to: 2 * H }]);
    expect(planSegments(0, 2 * M, levels, all(10 * H), 0)).toEqual([{ level: 0, from: 0, to: 2 * M }]);
  });
});

describe('levelForStep', () => {
  it('takes the coarsest level the step is a multiple of, none if not of the window', () => {
    expect(levelForStep(2 * H, levels)).toBe(2);
    expect(levelForStep(90 * M, levels)).toBe(1);
    expect(levelForStep(30_000, levels)).toBe(0);
    expect(levelForStep(15_000, levels)).toBeUndefined();
  });
});
