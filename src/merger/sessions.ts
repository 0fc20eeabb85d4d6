/** Sessions of the UI: a random id in an HttpOnly cookie, valid for a fixed time from sign-in, kept in
 * memory only (a restarted merger signs everyone out), at most MAX_SESSIONS (the oldest go first). */
import { randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'hostflow_session';
const MAX_SESSIONS = 10_000;

export class Sessions {
  private readonly _byId = new Map<string, { user: string; expires: number }>(); // In creation order.

  constructor(readonly ttlMs: number) {}

  /** create signs a user in; the id goes into the cookie. */
  create(user: string, now: number): string {
    const id = randomBytes(32).toString('base64url');
    this._byId.set(id, { user, expires: now + this.ttlMs });
    for (const [old] of this._byId) {
      if (this._byId.size <= MAX_SESSIONS) break;
      this._byId.delete(old);
    }
    return id;
  }

  /** user is who a session id belongs to, or undefined once it expired or was never made. */
  user(id: string | undefined, now: number): string | undefined {
    if (id === undefined) return undefined;
    const s = this._byId.get(id);
    if (s === undefined) return undefined;
    if (now < s.expires) return s.user;
    this._byId.delete(id);
    return undefined;
  }

  end(id: string | undefined): void {
    if (id !== undefined) this._byId.delete(id);
  }

  get size(): number {
    return this._byId.size;
  }
}
