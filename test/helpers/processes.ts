/** Starts bin/hostflow.js as a child process, reads its log for ports, and stops it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './fixtures.js';

const BIN = join(ROOT, 'bin/hostflow.js');

/** Hostflow is one running hostflow process. */
export interface Hostflow {
  proc: ChildProcess;
  log(): string;
  /** waitFor resolves to the first match of re in the log, or rejects after timeoutMs or on exit. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<number | null>;
}

const tempDirs: string[] = [];
process.on('exit', () => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });

/** tempDir makes a directory that is removed when the test process exits (a merger's --data). */
export function tempDir(prefix = 'hostflow-data-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** startHostflow runs `node bin/hostflow.js ...args`, with input (if given) as its stdin. */
export function startHostflow(args: string[], input?: string): Hostflow {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) proc.stdin!.end(input);
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const l of listeners) l();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => { for (const l of listeners) l(); resolve(code); }));
  return {
    proc,
    log: () => output,
    waitFor(re, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = output.match(re);
          if (m) return done(() => resolve(m));
          if (proc.exitCode !== null) done(() => reject(new Error(`hostflow ${args.join(' ')} exited (${proc.exitCode}) before ${re}:\n${output}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${re} from hostflow ${args.join(' ')}:\n${output}`))), timeoutMs);
        const done = (f: () => void) => { clearTimeout(timer); listeners.delete(check); f(); };
        listeners.add(check);
        check();
      });
    },
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** runHostflow runs a command to completion and resolves to its exit code and output. */
export async function runHostflow(args: string[], timeoutMs = 60_000, input?: string): Promise<{ code: number | null; output: string }> {
  const h = startHostflow(args, input);
  const timer = setTimeout(() => h.proc.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => h.proc.once('exit', resolve));
  clearTimeout(timer);
  return { code, output: h.log() };
}

/** getJson fetches a URL and parses its JSON body. */
export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** poll calls f until it returns a value that is not undefined, or throws after timeoutMs. */
export async function poll<T>(f: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** freePort finds a TCP port that nothing listens on now. A merger that must bind the same port again
 * after a kill needs one given explicitly: uWS sets SO_REUSEADDR only then. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** startMerger runs a merger with 1 s windows on its own data directory; resolves once it listens. */
export async function startMerger(running: Hostflow[], data = tempDir(), port = 0, extra: string[] = []): Promise<{ h: Hostflow; port: number; api: string; data: string }> {
  const h = startHostflow(['merger', '--http', `127.0.0.1:${port}`, '--window', '1s', '--data', data, ...extra]);
  running.push(h);
  const [, scheme, bound] = await h.waitFor(/listening on (https?):\/\/127\.0\.0\.1:(\d+)/);
  return { h, port: Number(bound), api: `${scheme}://127.0.0.1:${bound}/api`, data };
}

/** startProbe runs a probe with 1 s windows sending to a merger; resolves to its UDP port once it listens. */
export async function startProbe(running: Hostflow[], mergerPort: number, id: string, extra: string[] = []): Promise<{ h: Hostflow; udp: number }> {
  const h = startHostflow(['probe', '--udp', '127.0.0.1:0', '--tcp', 'off', '--merger', `ws://127.0.0.1:${mergerPort}/probe`, '--window', '1s', '--probe-id', id, ...extra]);
  running.push(h);
  return { h, udp: Number((await h.waitFor(/listening on udp 127\.0\.0\.1:(\d+)/))[1]) };
}

/** sendDatagrams sends payloads in order to a UDP port on loopback, pausing 20 ms after every 25 so that
 * none is lost at the receiving socket. */
export async function sendDatagrams(port: number, payloads: Iterable<Uint8Array>): Promise<void> {
  const socket = dgram.createSocket('udp4');
  let n = 0;
  for (const p of payloads) {
    await new Promise<void>((resolve, reject) => socket.send(p, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
    if (++n % 25 === 0) await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise<void>((resolve) => socket.close(() => resolve()));
}
