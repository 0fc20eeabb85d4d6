import { describe, it, expect } from 'vitest';
import { WindowClock, type Clock } from '../../src/probe/window.js';

/** FakeClock runs timers only when advanced. */
class FakeClock implements Clock {
  t: number;
  private _timers: { at: number; fn: () => void; id: number }[] = [];
  private _next = 1;
  constructor(start: number) { this.t = start; }
  now() { return this.t; }
  setTimeout(fn: () => void, ms: number) { const id = this._next++; this._timers.push({ at: this.t + ms, fn, id }); return id; }
  clearTimeout(id: unknown) { this._timers = this._timers.filter((x) => x.id !== id); }
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      this._timers.sort((a, b) => a.at - b.at);
      const next = this._timers[0];
      if (!next || next.at > end) break;
      this._timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
  /** stall moves time on without running timers, as a blocked event loop does. */
  stall(ms: number) { this.t += ms; }
}

describe('WindowClock', () => {
  it('closes windows aligned to the wall clock, empty ones included', () => {
    const clock = new FakeClock(1_000_003_500);
    const closed: number[] = [];
    const w = new WindowClock(10_000, (start) => closed.push(start), clock);
    w.start();
    expect(w.currentStart).toBe(1_000_000_000);
    clock.advance(6_499);
    expect(closed).toEqual([]);
    clock.advance(1);
    expect(closed).toEqual([1_000_000_000]);
    clock.advance(30_000);
    expect(closed).toEqual([1_000_000_000, 1_000_010_000, 1_000_020_000, 1_000_030_000]);
  });

  it('closes every window that ended while the timer was late, once each and in order', () => {
    const clock = new FakeClock(0);
    const closed: number[] = [];
    const w = new WindowClock(1000, (start) => closed.push(start), clock);
    w.start();
    clock.stall(3_500);
    clock.advance(0);
    expect(closed).toEqual([0, 1000, 2000]);
    expect(w.currentStart).toBe(3000);
  });

  it('closes the partial window on stop, and nothing after', () => {
    const clock = new FakeClock(5_000);
    const closed: number[] = [];
    const w = new WindowClock(2000, (start) => closed.push(start), clock);
    w.start();
    clock.advance(500);
    w.stop();
    clock.advance(10_000);
    expect(closed).toEqual([4000]);
  });

  it('refuses windows shorter than a second', () => {
    expect(() => new WindowClock(999, () => {})).toThrow(/at least 1000/);
  });
});
