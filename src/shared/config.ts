/** Configuration types and the embedded defaults of each component. */
import { hostname } from 'node:os';
import { defaultCoreOptions, type CoreOptions } from '../wasm/core.js';


/** HostPort is a listening or connecting address. */
export interface HostPort {
  host: string;
  port: number;
}

/** ProbeConfig configures one probe. */
export interface ProbeConfig {
  probeId: string;
  udp: HostPort;
  tcp: HostPort | null; // IPFIX over TCP; null: off.
  metrics: HostPort | null; // The probe's /metrics, /exporters, /status; null: off.
  receiveBufferBytes: number;
  udpReader: 'auto' | 'native' | 'dgram'; // native: recvmmsg batches (build/recvmmsg.node); auto: native where it loads.
  windowMs: number;
  mergerUrl: string;
  token: string | null; // Sent at the upgrade as Authorization: Bearer; null: none.
  caFile: string | null; // PEM: the CA that signed a wss:// merger's certificate (a private CA, pinned); null: the system's.
  spoolDir: string | null; // Unacknowledged frames on disk as well, kept across restarts; null: memory only.
  spoolMaxBytes: number; // The spool's bound: over it the oldest frames are dropped (and counted).
  core: CoreOptions;
}

/** Retention is how long each level of the merger's history is kept, in ms. */
export interface Retention {
  window: number;
  minute: number;
  hour: number;
}

export const DEFAULT_RETENTION: Retention = { window: 24 * 3600_000, minute: 14 * 24 * 3600_000, hour: 365 * 24 * 3600_000 };

/** MergerConfig configures the merger. */
export interface MergerConfig {
  http: HostPort;
  windowMs: number; // The window length the merger expects; frames of another length are refused.
  graceWindows: number; // A window is complete after this many window lengths even if a probe is silent.
  dataDir: string; // Where the history database (hostflow.duckdb) lives.
  retention: Retention; // How long each level of the history is kept.
  probeTokens: Map<string, string>; // Probe id -> its token; empty: any probe may connect (loopback only).
  apiToken: string | null; // The UI's and API's access token; null: open (loopback only), unless users are configured.
  users: Map<string, string>; // Name -> scrypt hash (the users file): they sign in at /login with a password.
  sessionTtlMs: number; // How long a sign-in lasts.
  tls: { certFile: string; keyFile: string } | null; // PEM files: HTTPS and wss:// on the one port.
  maxPendingBytes: number; // Memory for the windows still open; frames beyond it are refused (over_memory) and counted.
  maxProbeFramesPerSecond: number; // Past it (two seconds of burst) a probe connection is closed; probes pace their resends to 50/s.
  liveMaxBufferBytes: number; // What may wait for one browser on /api/live before it is closed as too slow.
  webRoot: string; // Where the UI bundle is served from.
}

export const DEFAULT_WINDOW_MS = 10_000;

export function defaultProbeConfig(): ProbeConfig {
  return {
    probeId: hostname().slice(0, 64) || 'probe',
    udp: { host: '0.0.0.0', port: 4739 },
    tcp: { host: '0.0.0.0', port: 4739 },
    metrics: null,
    receiveBufferBytes: 8 << 20,
    udpReader: 'auto',
    windowMs: DEFAULT_WINDOW_MS,
    mergerUrl: 'ws://127.0.0.1:8080/probe',
    token: null,
    caFile: null,
    spoolDir: null,
    spoolMaxBytes: 256 << 20,
    core: defaultCoreOptions(),
  };
}

export function defaultMergerConfig(): MergerConfig {
  return {
    http: { host: '127.0.0.1', port: 8080 },
    windowMs: DEFAULT_WINDOW_MS,
    graceWindows: 2,
    dataDir: './data',
    retention: { ...DEFAULT_RETENTION },
    probeTokens: new Map(),
    apiToken: null,
    users: new Map(),
    sessionTtlMs: 12 * 3_600_000,
    tls: null,
    maxPendingBytes: 256 << 20,
    maxProbeFramesPerSecond: 100,
    liveMaxBufferBytes: 4 << 20,
    webRoot: '',
  };
}

/** checkWindowMs accepts whole seconds that tile a minute or an hour (1..60 s dividing 60, or whole
 * minutes dividing 60), so that windows roll up exactly into minutes and hours. */
export function checkWindowMs(ms: number): number {
  const ok = ms % 1000 === 0 && ms >= 1000 && (60_000 % ms === 0 || (ms % 60_000 === 0 && 3_600_000 % ms === 0));
  if (!ok) throw new Error(`a window of ${ms} ms does not tile minutes and hours: use 1-60 s dividing 60 (1s, 2s, 5s, 10s, 15s, 30s, 60s) or minutes dividing 60 (2m, 5m, 10m, 15m, 30m, 60m)`);
  return ms;
}

/** checkProbeId accepts 1..64 bytes of UTF-8. */
export function checkProbeId(id: string): string {
  const n = Buffer.byteLength(id, 'utf8');
  if (n < 1 || n > 64) throw new Error(`a probe id is 1..64 bytes, "${id.slice(0, 20)}..." has ${n}`);
  return id;
}

/** checkMergerUrl accepts ws:// and wss:// URLs. */
export function checkMergerUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a URL (expected ws://HOST:PORT/probe)`);
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`"${url}" is not a ws:// or wss:// URL`);
  return url;
}

/** hostText writes a host for HOST:PORT text: an IPv6 address in brackets. */
export function hostText(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** parseHostPort reads "HOST:PORT", "[v6]:PORT" or ":PORT". */
export function parseHostPort(text: string, defaultHost: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not HOST:PORT (an IPv6 address goes in brackets: [::1]:4739)`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`port ${port} is out of range (0..65535)`);
  return { host: m[1] ?? (m[2] || defaultHost), port };
}

/** parseDuration reads "10", "10s", "1500ms", "2m", "24h", "14d" into milliseconds; a bare number is seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (e.g. 10s, 1500ms, 14d)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(m[1]) * unit);
}

/** isLoopback tells whether a listening address is this machine's loopback only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** checkMergerExposure refuses a merger on anything but loopback without probe tokens and an access token:
 * there anyone could push data or read the network's hosts. */
export function checkMergerExposure(c: MergerConfig): void {
  if (isLoopback(c.http.host)) return;
  const missing = [
    c.probeTokens.size === 0 ? 'probe tokens (--probe-token NAME=TOKEN or --probe-tokens FILE)' : '',
    c.apiToken === null && c.users.size === 0 ? 'an access token (--api-token-file FILE) or a users file (--users FILE)' : '',
  ].filter(Boolean);
  if (missing.length) throw new Error(`the merger listens on ${c.http.host}, beyond loopback: it needs ${missing.join(' and ')}`);
}
