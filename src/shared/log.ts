/** Logging: lower-case messages on stderr, with a per-key rate limit for anything input can trigger. */

/** log writes one line with an ISO time and the component name. */
export function log(component: string, message: string): void {
  process.stderr.write(`${new Date().toISOString()} ${component}: ${message}\n`);
}

/** RateLimitedLog lets through at most one line per key per interval, and says how many it held back. */
export class RateLimitedLog {
  private readonly _last = new Map<string, { at: number; held: number }>();

  constructor(private readonly _component: string, private readonly _intervalMs = 10_000, private readonly _maxKeys = 1000) {}

  log(key: string, message: string, now = Date.now()): void {
    const seen = this._last.get(key);
    if (seen && now - seen.at < this._intervalMs) {
      seen.held++;
      return;
    }
    if (!seen && this._last.size >= this._maxKeys) this._last.clear();
    const held = seen?.held ?? 0;
    this._last.set(key, { at: now, held: 0 });
    log(this._component, held > 0 ? `${message} (${held} more like it not shown)` : message);
  }
}
