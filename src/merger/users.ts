/** The users file: one `NAME:HASH` line per analyst, HASH made by `hostflow passwd NAME` with scrypt (a
 * memory-hard KDF, in node:crypto): `scrypt$N=32768,r=8,p=1$SALT$KEY`, salt and key in base64url. */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST = { N: 32768, r: 8, p: 1 };
const KEY_BYTES = 32;
const MAX_PASSWORD_BYTES = 1024;

function derive(password: string, salt: Buffer, o: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, { ...o, maxmem: 256 * o.N! * o.r! }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** hashPassword makes the HASH part of a users file line. */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < 8) throw new Error('a password has at least 8 characters');
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) throw new Error(`a password has at most ${MAX_PASSWORD_BYTES} bytes`);
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return `scrypt$N=${COST.N},r=${COST.r},p=${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface StoredHash { salt: Buffer; key: Buffer; cost: ScryptOptions }

function parseHash(text: string): StoredHash | undefined {
  const m = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(text);
  if (!m) return undefined;
  const [N, r, p] = [m[1], m[2], m[3]].map(Number);
  if (N < 16384 || N > 1 << 20 || (N & (N - 1)) !== 0 || r < 8 || r > 32 || p < 1 || p > 16) return undefined;
  return { cost: { N, r, p }, salt: Buffer.from(m[4], 'base64url'), key: Buffer.from(m[5], 'base64url') };
}

/** parseUsers reads a users file; a line it cannot read is an error naming the line. */
export function parseUsers(text: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = line.indexOf(':');
    const name = line.slice(0, at), hash = line.slice(at + 1);
    if (at <= 0 || !/^[\w.@-]{1,64}$/.test(name)) throw new Error(`users file line ${i + 1}: a line is NAME:HASH (NAME of letters, digits, . _ @ -)`);
    if (!parseHash(hash)) throw new Error(`users file line ${i + 1}: the hash of ${name} is not one \`hostflow passwd\` makes`);
    users.set(name, hash);
  });
  return users;
}

/** Users checks passwords; an unknown name costs as much as a wrong password, so timing does not tell names. */
export class Users {
  private readonly _dummy = parseHash(`scrypt$N=${COST.N},r=${COST.r},p=${COST.p}$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`)!;

  constructor(private readonly _users: ReadonlyMap<string, string>) {}

  get size(): number {
    return this._users.size;
  }

  async check(name: string, password: string): Promise<boolean> {
    const stored = this._users.get(name);
    const h = (stored !== undefined && parseHash(stored)) || this._dummy;
    if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
    const key = await derive(password, h.salt, h.cost);
    return stored !== undefined && key.length === h.key.length && timingSafeEqual(key, h.key);
  }
}
