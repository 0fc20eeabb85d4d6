/** hostflow's command line: parse flags, build components, start them; nothing else. */
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { aggregateCaptures, formatCsv } from './offline/aggregate.js';
import { loadDatagrams, replay } from './offline/replay.js';
import { decodeCaptures } from './offline/decode.js';
import { Probe } from './probe/main.js';
import { Merger } from './merger/main.js';
import {
  defaultMergerConfig, defaultProbeConfig, parseDuration, parseHostPort, checkWindowMs, checkProbeId, checkMergerUrl, hostText, checkMergerExposure,
  type MergerConfig, type ProbeConfig,
} from './shared/config.js';
import { MAX_HOSTS, MAX_NETWORKS, MAX_SKETCH_BYTES, type CoreStats, type CoreOptions } from './wasm/core.js';
import { parseCidr, type Cidr } from './protocol/address.js';
import { log } from './shared/log.js';
import { hashPassword, parseUsers } from './merger/users.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_CAPTURE = join(ROOT, 'test/fixtures/softflowd/softflowd-ipfix-ms.pcap.gz');
const DEMO_RATE = 50;

const USAGE = `usage:
  hostflow [--http HOST:PORT] [--udp HOST:PORT] [--window 10s] [--demo]   merger + probe in one process
  hostflow probe --merger ws://HOST:PORT/probe [--udp HOST:PORT] [--window 10s] [--probe-id ID] [--spool DIR] [--spool-max 256M]
  hostflow merger [--http HOST:PORT] [--window 10s] [--data DIR]
  hostflow replay FILE.pcap... --to HOST:PORT [--rate DATAGRAMS_PER_S] [--loop]
  hostflow aggregate FILE.pcap... [--format csv|json]
  hostflow passwd NAME < PASSWORD                                            a users file line (scrypt hash)
  hostflow decode FILE.pcap... [--format jsonl]                              every flow record, one JSON line each
common: --max-hosts N (hosts per window in the probe's table, default 200000);
        --sketch-memory SIZE (memory for one window's distinct-count sketches, e.g. 64M, default 64M);
        --networks CIDR,... (monitored networks: only their addresses become hosts; default every address);
        --tcp HOST:PORT|off (IPFIX over TCP; default: the --udp address and port);
        --udp-reader auto|native|dgram (native: many datagrams per system call, where build/recvmmsg.node
          was built; auto, the default: native if it loads, else node:dgram);
        --metrics HOST:PORT (the probe's /metrics, /exporters and /status; default off);
        --udp-buffer SIZE (the UDP socket's receive buffer asked of the kernel, default 8M; what it dropped
          when full is counted as udp_kernel_drops, on Linux);
        --data DIR (the merger's history, DIR/hostflow.duckdb; default ./data);
        --probe-token NAME=TOKEN (repeatable) or --probe-tokens FILE (NAME=TOKEN lines): only those probes
          may connect, each with its token (probe: --token TOKEN or --token-file FILE);
        --api-token-file FILE (or --api-token TOKEN): the UI and API need it (Bearer, or sign in at /login);
        --users FILE (NAME:HASH lines, HASH from \`hostflow passwd NAME\`): analysts sign in at /login with a password;
        --session-ttl 12h (how long a sign-in lasts);
          a merger beyond loopback refuses to start without probe tokens and an access token or users;
        --tls-cert FILE --tls-key FILE (PEM): the merger serves HTTPS and wss://; probe --ca FILE pins the CA
        --retain-windows 24h, --retain-minutes 14d, --retain-hours 365d (how long each level of history is kept);
        --max-probe-frames-per-second 100 (two seconds of burst; past it a probe connection is closed, 1008; probes pace their resends to 50/s);
        --live-max-buffer 4M (a browser on /api/live this far behind is closed; it reconnects and backfills)`;

const FLAGS = {
  http: { type: 'string' },
  udp: { type: 'string' },
  tcp: { type: 'string' },
  metrics: { type: 'string' },
  networks: { type: 'string' },
  window: { type: 'string' },
  demo: { type: 'boolean' },
  data: { type: 'string' },
  spool: { type: 'string' },
  'udp-buffer': { type: 'string' },
  'probe-token': { type: 'string', multiple: true },
  'probe-tokens': { type: 'string' },
  'api-token': { type: 'string' },
  'api-token-file': { type: 'string' },
  token: { type: 'string' },
  ca: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'token-file': { type: 'string' },
  'spool-max': { type: 'string' },
  'max-probe-frames-per-second': { type: 'string' },
  'live-max-buffer': { type: 'string' },
  users: { type: 'string' },
  'session-ttl': { type: 'string' },
  'retain-windows': { type: 'string' },
  'retain-minutes': { type: 'string' },
  'retain-hours': { type: 'string' },
  merger: { type: 'string' },
  'probe-id': { type: 'string' },
  'max-hosts': { type: 'string' },
  'sketch-memory': { type: 'string' },
  'udp-reader': { type: 'string' },
  to: { type: 'string' },
  rate: { type: 'string' },
  loop: { type: 'boolean' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true }>>['values'];

/** main runs one command line; resolves to the exit code (servers resolve when they stop). */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: FLAGS, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`hostflow: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [command, ...files] = positionals;
  if ((command === undefined || command === 'probe' || command === 'merger') && files.length > 0) {
    console.error(`hostflow: unexpected argument "${files[0]}"\n${USAGE}`);
    return 2;
  }
  switch (command) {
    case undefined: return allInOne(values);
    case 'probe': {
      const config = probeConfig(values);
      return runUntilSignal(...(await startAll([() => startProbe(config)])));
    }
    case 'merger': {
      const config = mergerConfig(values);
      return runUntilSignal(...(await startAll([() => startMerger(config)])));
    }
    case 'replay': return replayCommand(values, files);
    case 'aggregate': return aggregateCommand(values, files);
    case 'decode': return decodeCommand(values, files);
    case 'passwd': return passwdCommand(files);
    default:
      console.error(`hostflow: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

/** passwdCommand reads a password (the first line of stdin) and prints the users file line for NAME. */
async function passwdCommand(args: string[]): Promise<number> {
  if (args.length !== 1) throw new Error('passwd takes one NAME: hostflow passwd NAME < password');
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const password = input.split('\n')[0].replace(/\r$/, '');
  const line = `${args[0]}:${await hashPassword(password)}`;
  parseUsers(line); // The name is one the users file takes.
  console.log(line);
  return 0;
}

function windowMs(values: Values): number {
  return checkWindowMs(values.window ? parseDuration(values.window) : defaultProbeConfig().windowMs);
}

function probeConfig(values: Values): ProbeConfig {
  const c = defaultProbeConfig();
  if (values.udp) c.udp = parseHostPort(values.udp, c.udp.host);
  // IPFIX over TCP listens beside UDP, on the same address and port unless told otherwise.
  c.tcp = values.tcp === 'off' ? null : values.tcp ? parseHostPort(values.tcp, c.udp.host) : { ...c.udp };
  if (values.metrics) c.metrics = parseHostPort(values.metrics, '127.0.0.1');
  if (values['udp-buffer'] !== undefined) {
    const n = parseSize(values['udp-buffer']) ?? NaN;
    if (!(n >= 4096 && n <= 1 << 30)) throw new Error(`--udp-buffer must be a size from 4k to 1G (e.g. 8M), got "${values['udp-buffer']}"`);
    c.receiveBufferBytes = n;
  }
  if (values['udp-reader'] !== undefined) {
    const r = values['udp-reader'];
    if (r !== 'auto' && r !== 'native' && r !== 'dgram') throw new Error(`--udp-reader must be auto, native or dgram, got "${r}"`);
    c.udpReader = r;
  }
  if (values.merger) c.mergerUrl = checkMergerUrl(values.merger);
  if (values['probe-id'] !== undefined) c.probeId = checkProbeId(values['probe-id']);
  if (values.spool !== undefined) {
    if (values.spool === '') throw new Error('--spool needs a directory');
    c.spoolDir = values.spool;
  }
  const token = values.token ?? (values['token-file'] ? secretFile(values['token-file'], '--token-file').trim() : undefined);
  if (token !== undefined) {
    if (token === '') throw new Error('the probe token is empty (--token or --token-file)');
    c.token = token;
  }
  if (values.ca !== undefined) {
    if (!existsSync(values.ca)) throw new Error(`--ca ${values.ca} not found`);
    c.caFile = values.ca;
  }
  if (values['spool-max'] !== undefined) {
    const n = parseSize(values['spool-max']) ?? NaN;
    if (!(n >= 1 << 20)) throw new Error(`--spool-max must be a size of at least 1M (e.g. 256M, 2G), got "${values['spool-max']}"`);
    c.spoolMaxBytes = n;
  }
  coreFlags(values, c.core);
  c.windowMs = windowMs(values);
  return c;
}

function mergerConfig(values: Values): MergerConfig {
  const c = defaultMergerConfig();
  if (values.http) c.http = parseHostPort(values.http, c.http.host);
  c.windowMs = windowMs(values);
  c.webRoot = join(ROOT, 'dist/web');
  if (values.data !== undefined) {
    if (values.data === '') throw new Error('--data needs a directory');
    c.dataDir = values.data;
  }
  const retain = (flag: 'retain-windows' | 'retain-minutes' | 'retain-hours', level: 'window' | 'minute' | 'hour', least: number): void => {
    const text = values[flag];
    if (text === undefined) return;
    const ms = parseDuration(text);
    if (ms < least) throw new Error(`--${flag} ${text} is shorter than one ${level} period (${least / 1000} s)`);
    c.retention[level] = ms;
  };
  if (values['max-probe-frames-per-second']) c.maxProbeFramesPerSecond = positiveInt(values['max-probe-frames-per-second'], '--max-probe-frames-per-second');
  if (values['live-max-buffer'] !== undefined) {
    const n = parseSize(values['live-max-buffer']) ?? NaN;
    if (!(n >= 64 << 10)) throw new Error(`--live-max-buffer must be a size of at least 64k (e.g. 4M), got "${values['live-max-buffer']}"`);
    c.liveMaxBufferBytes = n;
  }
  retain('retain-windows', 'window', c.windowMs);
  retain('retain-minutes', 'minute', 60_000);
  retain('retain-hours', 'hour', 3_600_000);
  const tokenLines = [...(values['probe-token'] ?? []), ...(values['probe-tokens'] ? secretFile(values['probe-tokens'], '--probe-tokens').split('\n') : [])];
  for (const line of tokenLines.map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const m = /^([^=\s]+)\s*[=\s]\s*(\S+)$/.exec(line);
    if (!m) throw new Error(`a probe token is NAME=TOKEN, got "${line.slice(0, 40)}"`);
    if (m[2].length < 16) throw new Error(`the token of probe ${m[1]} is shorter than 16 characters`);
    c.probeTokens.set(checkProbeId(m[1]), m[2]);
  }
  const api = values['api-token'] ?? (values['api-token-file'] ? secretFile(values['api-token-file'], '--api-token-file').trim() : undefined);
  if (api !== undefined) {
    if (api.length < 16) throw new Error('the access token is shorter than 16 characters');
    c.apiToken = api;
  }
  if (values.users !== undefined) c.users = parseUsers(secretFile(values.users, '--users'));
  if (values['session-ttl'] !== undefined) {
    c.sessionTtlMs = parseDuration(values['session-ttl']);
    if (!(c.sessionTtlMs >= 60_000)) throw new Error(`--session-ttl must be at least 1m, got "${values['session-ttl']}"`);
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new Error('--tls-cert and --tls-key go together');
  if (values['tls-cert'] && values['tls-key']) {
    for (const f of [values['tls-cert'], values['tls-key']]) if (!existsSync(f)) throw new Error(`TLS file ${f} not found`);
    c.tls = { certFile: values['tls-cert'], keyFile: values['tls-key'] };
  }
  checkMergerExposure(c);
  return c;
}

/** coreFlags applies the flags that size the WASM core. */
function coreFlags(values: Values, core: CoreOptions): void {
  if (values['max-hosts']) core.maxHosts = maxHosts(values['max-hosts']);
  if (values['sketch-memory']) core.sketchBytes = sketchMemory(values['sketch-memory']);
  if (values.networks) core.networks = networks(values.networks);
}

/** secretFile reads a file of secrets (tokens), naming the flag if it cannot. */
function secretFile(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`${flag} ${path}: ${(err as Error).message}`);
  }
}

/** parseSize reads "64M", "512k", "2G" or bytes; undefined if it is not a size. */
function parseSize(text: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(text.trim());
  return m ? Number(m[1]) * { '': 1, k: 1024, m: 1 << 20, g: 1 << 30 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'] : undefined;
}

function sketchMemory(text: string): number {
  const n = parseSize(text) ?? NaN;
  if (!(n >= 0 && n <= MAX_SKETCH_BYTES)) throw new Error(`--sketch-memory must be a size up to 256M (e.g. 64M, 512k), got "${text}"`);
  return n;
}

function networks(text: string): Cidr[] {
  const list = text.split(',').filter((t) => t.trim() !== '').map((t) => {
    const cidr = parseCidr(t);
    if (!cidr) throw new Error(`--networks: "${t}" is not a CIDR (e.g. 10.0.0.0/8,2001:db8::/32)`);
    return cidr;
  });
  if (list.length > MAX_NETWORKS) throw new Error(`--networks takes at most ${MAX_NETWORKS} networks`);
  return list;
}

function maxHosts(text: string): number {
  const n = positiveInt(text, '--max-hosts');
  if (n > MAX_HOSTS) throw new Error(`--max-hosts is at most ${MAX_HOSTS} (328 bytes a host in the probe's WASM memory)`);
  return n;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${text}"`);
  return n;
}

type Stoppable = { stop(): Promise<void> | void };

/** startAll starts components in order; if one fails, the ones started are stopped and the error thrown. */
async function startAll(starts: (() => Promise<Stoppable>)[]): Promise<Stoppable[]> {
  const started: Stoppable[] = [];
  try {
    for (const start of starts) started.unshift(await start());
    return started;
  } catch (err) {
    for (const c of started) await c.stop();
    throw err;
  }
}

async function startProbe(config: ProbeConfig): Promise<Stoppable> {
  const probe = new Probe(config);
  await probe.start();
  return probe;
}

async function startMerger(config: MergerConfig): Promise<Stoppable> {
  const merger = new Merger(config);
  await merger.start();
  return merger;
}

/** allInOne runs a merger and a probe that sends to it over loopback, and with --demo a looping replay. */
async function allInOne(values: Values): Promise<number> {
  // Every flag is checked before anything listens.
  const mc = mergerConfig(values);
  const pc = probeConfig(values);
  if (values.demo && !values.udp) pc.udp = { host: '127.0.0.1', port: pc.udp.port }; // The demo stays on this machine.
  if (values.demo && !values.tcp) pc.tcp = pc.tcp && { ...pc.udp };
  if (values.demo && !existsSync(DEMO_CAPTURE)) throw new Error(`demo capture not found at ${DEMO_CAPTURE}`);
  let udpPort = 0, httpPort = 0;
  const components = await startAll([
    async () => {
      const merger = new Merger(mc);
      httpPort = await merger.start();
      return merger;
    },
    async () => {
      const mergerHost = mc.http.host === '0.0.0.0' ? '127.0.0.1' : mc.http.host === '::' ? '::1' : mc.http.host;
      pc.mergerUrl = `${mc.tls ? 'wss' : 'ws'}://${hostText(mergerHost)}:${httpPort}/probe`;
      if (mc.probeTokens.size > 0) {
        const own = mc.probeTokens.get(pc.probeId);
        if (!own) throw new Error(`the merger takes only probes with tokens: give this process's probe (${pc.probeId}) one with --probe-token ${pc.probeId}=TOKEN`);
        pc.token = own;
      }
      const probe = new Probe(pc);
      udpPort = await probe.start();
      return probe;
    },
    async () => {
      if (!values.demo) return { stop() {} };
      const abort = new AbortController();
      const target = { host: pc.udp.host === '0.0.0.0' ? '127.0.0.1' : pc.udp.host === '::' ? '::1' : pc.udp.host, port: udpPort };
      // softflowd wrote the capture's 1,581 datagrams in about a second while their flows span 32 s:
      // replaying them at 50 datagrams/s gives live data at about the pace the flows happened.
      log('demo', `replaying ${DEMO_CAPTURE} in a loop at ${DEMO_RATE} datagrams/s to udp ${target.host}:${target.port}`);
      const done = replay(loadDatagrams([DEMO_CAPTURE]), { to: target, rate: DEMO_RATE, loop: true, signal: abort.signal });
      return { stop: async () => { abort.abort(); await done; } };
    },
  ]);
  log('hostflow', `UI on http://${hostText(mc.http.host)}:${httpPort}/`);
  return runUntilSignal(...components);
}

/** runUntilSignal waits for SIGINT or SIGTERM, then stops the components in order. */
function runUntilSignal(...components: { stop(): Promise<void> | void }[]): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = async (): Promise<void> => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      for (const c of components) await c.stop();
      resolve(0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function replayCommand(values: Values, files: string[]): Promise<number> {
  if (files.length === 0 || !values.to) throw new Error('replay needs FILE.pcap... and --to HOST:PORT');
  const to = parseHostPort(values.to, '127.0.0.1');
  const rate = values.rate ? positiveInt(values.rate, '--rate') : undefined;
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const sent = await replay(loadDatagrams(files), { to, rate, loop: values.loop ?? false, signal: abort.signal });
  console.error(`sent ${sent} datagrams to ${to.host}:${to.port}`);
  return 0;
}

/** problems says what went wrong, by reason, or that nothing did. */
function problems(s: CoreStats, skipped: Record<string, number> = {}): string {
  const reasons: [string, number][] = [
    ['truncated', s.errTruncated], ['unknown version', s.errBadVersion], ['bad set length', s.errBadSetLength],
    ['bad template', s.errBadTemplate], ['bad record', s.errBadRecord], ['too large', s.errTooLarge], ['bad v5 count', s.errBadCount],
    ['data sets without template', s.setsNoTemplate - s.setsHeldDecoded], ['data sets decoded once their template came', s.setsHeldDecoded],
    ['sequence gaps', s.sequenceGaps], ['records outside the monitored networks', s.unmonitoredRecords],
    ['distinct-count values not kept (sketch memory full; raise --sketch-memory)', s.sketchValuesDropped], ...Object.entries(skipped).map(([k, n]): [string, number] => [`capture packets skipped: ${k}`, n]),
  ];
  const found = reasons.filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  return found.length ? found.join(', ') : 'no errors';
}

function decodeCommand(values: Values, files: string[]): number {
  if (files.length === 0) throw new Error('decode needs FILE.pcap...');
  if ((values.format ?? 'jsonl') !== 'jsonl') throw new Error(`--format must be jsonl, got "${values.format}"`);
  const lines: string[] = [];
  const flush = () => { process.stdout.write(lines.join('')); lines.length = 0; };
  const s = decodeCaptures(files, (e) => {
    lines.push(JSON.stringify(e) + '\n');
    if (lines.length >= 1000) flush();
  });
  flush();
  console.error(`${files.length} file(s): ${s.datagrams} datagrams, ${s.records} flow records, ${s.optionsRecords} options records; ${problems(s)}`);
  return 0;
}

function aggregateCommand(values: Values, files: string[]): number {
  if (files.length === 0) throw new Error('aggregate needs FILE.pcap...');
  const format = values.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new Error(`--format must be csv or json, got "${format}"`);
  const core = { ...defaultProbeConfig().core };
  coreFlags(values, core);
  const result = aggregateCaptures(files, core);
  process.stdout.write(format === 'csv' ? formatCsv(result.hosts) : JSON.stringify(result, null, 1) + '\n');
  const s = result.stats;
  console.error(`${files.length} file(s): ${s.datagrams} datagrams, ${s.records} flow records, ${result.hosts.length} hosts; ${problems(s, result.skipped)}`);
  return 0;
}
