import { describe, it, expect } from 'vitest';
import { TokenBucket } from '../../src/shared/token-bucket.js';

describe('TokenBucket', () => {
  it('lets a burst through, then the rate, and says how long to wait', () => {
    const b = new TokenBucket(10, 20, 0);
    let taken = 0;
    while (b.take(0)) taken++;
    expect(taken).toBe(20);
    expect(b.waitMs()).toBe(100);
    expect(b.take(99)).toBe(false);
    expect(b.take(100)).toBe(true);
    let later = 0;
    for (let t = 150; t <= 1100; t += 50) if (b.take(t)) later++;
    expect(later).toBe(10); // One second at 10 per second.
    expect(new TokenBucket(10, 20, 0).take(1e9)).toBe(true); // Refills to the burst, no further.
  });
});
