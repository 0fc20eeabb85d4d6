/** Signing in to the UI and API: who may read, and the /login page that makes a session. A request may
 * carry the access token as a Bearer header, or the session cookie that /login sets after a right token
 * (GET /login?token=, or the form) or a right name and password from the users file. */
import { Tokens, bearer, cookieValue } from './auth.js';
import { Sessions, SESSION_COOKIE } from './sessions.js';
import type { Users } from './users.js';
import type { ApiResponse } from './api.js';
import type { Credentials } from './server.js';
import { TokenBucket } from '../shared/token-bucket.js';

export interface LoginRequest {
  method: 'get' | 'head' | 'post';
  query: string;
  body: string; // application/x-www-form-urlencoded, for POST.
  cred: Credentials;
  peer: string; // The client's address: sign-in attempts are limited per address.
}

const MAX_PEERS = 10_000; // Addresses whose attempts are remembered; the oldest go first.

/** safeNext keeps a return path on this site, else "/": printable ASCII only (no CR/LF to split the Location
 * header, no tab or space a browser would drop to make "/\t/evil" into "//evil"), starting with one "/" not
 * followed by another or by a backslash (both read as another host). */
export const safeNext = (next: string | null): string => (next && /^\/(?![/\\])[\x21-\x7e]*$/.test(next) ? next : '/');

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export class Login {
  readonly stats = { signIns: 0, failed: 0, throttled: 0 };
  // Sign-in attempts per client address (a success is given back): scrypt already costs ~0.1 s of CPU
  // each; this bounds guessing further, and one address spending its own cannot lock the others out.
  private readonly _attempts = new Map<string, TokenBucket>();

  constructor(private readonly _tokens: Tokens, private readonly _users: Users, private readonly _sessions: Sessions, private readonly _secure: boolean) {}

  /** open: neither an access token nor users are configured (a loopback merger). */
  get open(): boolean {
    return !this._tokens.apiNeedsToken && this._users.size === 0;
  }

  authorized(cred: Credentials, now = Date.now()): boolean {
    if (this.open) return true;
    const token = bearer(cred.authorization);
    if (token !== undefined && this._tokens.apiNeedsToken && this._tokens.api(token)) return true;
    return this._sessions.user(cookieValue(cred.cookie, SESSION_COOKIE), now) !== undefined;
  }

  /** handle answers GET /login (the form, or ?token=), POST /login (the form sent), and ?logout. */
  async handle(r: LoginRequest): Promise<ApiResponse> {
    const q = new URLSearchParams(r.method === 'post' ? r.body : r.query);
    const next = safeNext(q.get('next'));
    if (this.open) return redirect(next);
    if (new URLSearchParams(r.query).has('logout')) {
      this._sessions.end(cookieValue(r.cred.cookie, SESSION_COOKIE));
      return { ...this._form('/', 'Signed out.', 200), headers: { 'set-cookie': this._cookie('', 0) } };
    }
    const token = q.get('token'), user = q.get('user'), password = q.get('password');
    if (r.method === 'head' || (token === null && (r.method === 'get' || user === null))) return this._form(next, '', 200);
    const attempts = this._bucket(r.peer);
    if (!attempts.take(Date.now())) {
      this.stats.throttled++;
      return this._form(next, 'Too many failed sign-ins: wait a few seconds.', 429);
    }
    let who: string | undefined;
    if (token !== null && this._tokens.apiNeedsToken && this._tokens.api(token)) who = 'token';
    else if (user !== null && password !== null && (await this._users.check(user, password))) who = user;
    if (who === undefined) {
      this.stats.failed++;
      return this._form(next, token !== null ? 'Wrong access token.' : 'Wrong name or password.', 401);
    }
    attempts.refund();
    this.stats.signIns++;
    const id = this._sessions.create(who, Date.now());
    return { ...redirect(next), headers: { location: next, 'set-cookie': this._cookie(id, Math.floor(this._sessions.ttlMs / 1000)) } };
  }

  private _bucket(peer: string): TokenBucket {
    let b = this._attempts.get(peer);
    if (b === undefined) {
      b = new TokenBucket(5, 20, Date.now());
      this._attempts.set(peer, b);
      for (const [old] of this._attempts) {
        if (this._attempts.size <= MAX_PEERS) break;
        this._attempts.delete(old);
      }
    }
    return b;
  }

  private _cookie(value: string, maxAgeS: number): string {
    return `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${this._secure ? '; Secure' : ''}`;
  }

  private _form(next: string, message: string, status: number): ApiResponse {
    const users = this._users.size > 0, token = this._tokens.apiNeedsToken;
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>hostflow: sign in</title>
<style>body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1a1d21;display:grid;place-items:center;min-height:90vh}form{background:#fff;padding:24px 28px;border-radius:8px;box-shadow:0 1px 3px #0002;display:grid;gap:10px;min-width:280px}label{display:grid;gap:4px;font-size:14px}input{font:inherit;padding:6px 8px;border:1px solid #8a9099;border-radius:4px}button{font:inherit;padding:8px;border:0;border-radius:4px;background:#1f5fbf;color:#fff;cursor:pointer}button:focus-visible,input:focus-visible{outline:3px solid #1f5fbf;outline-offset:2px}p[role=alert]{color:#a4161a;margin:0}</style></head>
<body><form method="post" action="/login"><h1 style="margin:0;font-size:20px">hostflow</h1>${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<input type="hidden" name="next" value="${escapeHtml(next)}">
${users ? '<label>Name <input name="user" autocomplete="username" required></label><label>Password <input name="password" type="password" autocomplete="current-password" required></label>' : ''}
${!users && token ? '<label>Access token <input name="token" type="password" autocomplete="off" required></label>' : ''}
<button type="submit">Sign in</button></form></body></html>`;
    return { status, body, contentType: 'text/html; charset=utf-8' };
  }
}

const redirect = (to: string): ApiResponse => ({ status: 303, body: '', headers: { location: to } });
