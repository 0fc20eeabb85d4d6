/** TokenBucket paces events to a rate with a burst: the merger's limit on a probe's frames per second, and
 * the probe's own pacing of its resends, which stays under that limit. */
export class TokenBucket {
  private _tokens: number;
  private _at: number;

  constructor(readonly perSecond: number, readonly burst: number, now: number) {
    this._tokens = burst;
    this._at = now;
  }

  /** take spends one token if there is one; false (nothing spent) if the rate is used up. */
  take(now: number): boolean {
    this._tokens = Math.min(this.burst, this._tokens + ((now - this._at) * this.perSecond) / 1000);
    this._at = now;
    if (this._tokens < 1) return false;
    this._tokens--;
    return true;
  }

  /** refund gives back one token spent on something that turned out not to count. */
  refund(): void {
    this._tokens = Math.min(this.burst, this._tokens + 1);
  }

  /** waitMs is how long until take can succeed. */
  waitMs(): number {
    return Math.max(0, Math.ceil(((1 - this._tokens) * 1000) / this.perSecond));
  }
}
