/** Window clock: closes windows aligned to the wall clock, [floor(t / W) * W, + W); the clock is injected. */

/** Clock is what the window clock needs of time; tests pass a fake one. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** WindowClock calls onClose(start, length) once for every window, in order, empty ones included. */
export class WindowClock {
  private _current = 0;
  private _timer: unknown;
  private _running = false;

  constructor(
    readonly lengthMs: number,
    private readonly _onClose: (start: number, length: number) => void,
    private readonly _clock: Clock = systemClock,
  ) {
    if (!(lengthMs >= 1000) || !Number.isInteger(lengthMs)) throw new RangeError('window must be a whole number of ms, at least 1000');
  }

  /** currentStart is the start of the window records are counted into now. */
  get currentStart(): number {
    return this._current;
  }

  start(): void {
    this._running = true;
    this._current = Math.floor(this._clock.now() / this.lengthMs) * this.lengthMs;
    this._schedule();
  }

  /** stop closes the window in progress (partial) and stops the clock. */
  stop(): void {
    if (!this._running) return;
    this._running = false;
    this._clock.clearTimeout(this._timer);
    this._onClose(this._current, this.lengthMs);
  }

  private _schedule(): void {
    const delay = Math.max(0, this._current + this.lengthMs - this._clock.now());
    this._timer = this._clock.setTimeout(() => this._tick(), delay);
  }

  private _tick(): void {
    if (!this._running) return;
    const now = this._clock.now();
    // A late timer (a stalled event loop) still closes every window that ended, one frame each.
    while (this._current + this.lengthMs <= now) {
      const start = this._current;
      this._current += this.lengthMs;
      this._onClose(start, this.lengthMs);
    }
    this._schedule();
  }
}
