import { describe, it, expect } from 'vitest';
import { Sessions } from '../../src/merger/sessions.js';
import { Users, hashPassword, parseUsers } from '../../src/merger/users.js';

describe('sessions', () => {
  it('expire a fixed time after sign-in, and end on sign-out', () => {
    const s = new Sessions(60_000);
    const a = s.create('alice', 1000), b = s.create('bob', 1000);
    expect(a).not.toBe(b);
    expect(s.user(a, 60_999)).toBe('alice');
    expect(s.user(a, 61_000)).toBeUndefined();
    expect(s.user('made-up', 2000)).toBeUndefined();
    s.end(b);
    expect(s.user(b, 2000)).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('keep at most 10,000, the oldest going first', () => {
    const s = new Sessions(60_000);
    const first = s.create('u', 0);
    for (let i = 0; i < 10_000; i++) s.create('u', 0);
    expect(s.size).toBe(10_000);
    expect(s.user(first, 1)).toBeUndefined();
  });
});

describe('the users file', () => {
  it('checks passwords against scrypt hashes; salts differ; bad lines are refused with their line number', async () => {
    const h1 = await hashPassword('s3cret-enough'), h2 = await hashPassword('s3cret-enough');
    expect(h1).not.toBe(h2);
    const users = new Users(parseUsers(`# comment\n\nalice:${h1}\n`));
    expect(await users.check('alice', 's3cret-enough')).toBe(true);
    expect(await users.check('alice', 's3cret-enougH')).toBe(false);
    expect(await users.check('bob', 's3cret-enough')).toBe(false);
    expect(() => parseUsers('alice:plaintext')).toThrow(/line 1: the hash of alice/);
    expect(() => parseUsers(`\nno colon here`)).toThrow(/line 2: a line is NAME:HASH/);
    expect(() => parseUsers(`al ice:${h1}`)).toThrow(/line 1/);
    expect(() => parseUsers(h1.replace('N=32768', 'N=1024').replace(/^/, 'alice:'))).toThrow(/hash of alice/); // Too cheap to count as a KDF.
    await expect(hashPassword('short')).rejects.toThrow(/at least 8/);
  });
});
