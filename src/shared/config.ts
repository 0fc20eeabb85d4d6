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
  receiveBufferBytes: number;
  windowMs: number;
  mergerUrl: string;
  core: CoreOptions;
}

/** MergerConfig configures the merger. */
export interface MergerConfig {
  http: HostPort;
  windowMs: number; // The window length the merger expects; frames of another length are refused.
  graceWindows: number; // A window is complete after this many window lengths even if a probe is silent.
  retentionMs: number; // In-memory history kept for the API.
  maxHeldRows: number; // Host rows kept in memory over all windows; the oldest windows go first.
  webRoot: string; // Where the UI bundle is served from.
}

export const DEFAULT_WINDOW_MS = 10_000;

export function defaultProbeConfig(): ProbeConfig {
  return {
    probeId: hostname().slice(0, 64) || 'probe',
    udp: { host: '0.0.0.0', port: 4739 },
    tcp: { host: '0.0.0.0', port: 4739 },
    receiveBufferBytes: 8 << 20,
    windowMs: DEFAULT_WINDOW_MS,
    mergerUrl: 'ws://127.0.0.1:8080/probe',
    core: defaultCoreOptions(),
  };
}

export function defaultMergerConfig(): MergerConfig {
  return {
    http: { host: '127.0.0.1', port: 8080 },
    windowMs: DEFAULT_WINDOW_MS,
    graceWindows: 2,
    retentionMs: 3600_000,
    maxHeldRows: 5_000_000,
    webRoot: '',
  };
}

/** parseHostPort reads "HOST:PORT", "[v6]:PORT" or ":PORT". */
export function parseHostPort(text: string, defaultHost: string): HostPort {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not HOST:PORT`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`port ${port} is out of range`);
  return { host: m[1] ?? (m[2] || defaultHost), port };
}

/** parseDuration reads "10", "10s", "1500ms", "2m" into milliseconds; a bare number is seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (e.g. 10s, 1500ms)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}
