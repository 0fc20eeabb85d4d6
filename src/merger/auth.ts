/** Tokens that let peers in: probes by per-probe token at the WebSocket upgrade, the UI and API by an
 * access token (login.ts). Tokens are kept as SHA-256 digests and compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** bearer reads "Bearer TOKEN" (case-insensitive scheme); undefined if it is not one. */
export function bearer(authorization: string): string | undefined {
  const m = /^bearer\s+(\S+)\s*$/i.exec(authorization);
  return m?.[1];
}

/** cookieValue reads one cookie of a Cookie header. */
export function cookieValue(header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/** Tokens checks secrets without keeping them. */
export class Tokens {
  private readonly _probes = new Map<string, Buffer>();
  private readonly _api?: Buffer;

  constructor(probeTokens: ReadonlyMap<string, string>, apiToken: string | null) {
    for (const [probe, token] of probeTokens) this._probes.set(probe, digest(token));
    if (apiToken !== null) this._api = digest(apiToken);
  }

  /** probesNeedToken: with no probe tokens configured (loopback only), any probe may connect. */
  get probesNeedToken(): boolean {
    return this._probes.size > 0;
  }

  get apiNeedsToken(): boolean {
    return this._api !== undefined;
  }

  /** probe says whether token is this probe's. */
  probe(probeId: string, token: string): boolean {
    const want = this._probes.get(probeId);
    return want !== undefined && timingSafeEqual(want, digest(token));
  }

  /** api says whether token is the API's. */
  api(token: string | undefined): boolean {
    return this._api === undefined || (token !== undefined && timingSafeEqual(this._api, digest(token)));
  }
}
