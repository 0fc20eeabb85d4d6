/** Replay: sends the UDP payloads of captures, in order, to a probe; at a fixed rate or at capture timing. */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { lookup } from 'node:dns/promises';
import { readCaptureFile, type Datagram } from '../pcap/reader.js';
import type { HostPort } from '../shared/config.js';

/** ReplayOptions say where, how fast and how often. */
export interface ReplayOptions {
  to: HostPort;
  rate?: number; // Datagrams per second; without it, the capture's own timing.
  loop: boolean;
  signal?: AbortSignal;
}

const TICK_MS = 5;

/** loadDatagrams reads the datagrams of every file, in order. */
export function loadDatagrams(files: string[]): Datagram[] {
  const all: Datagram[] = [];
  for (const f of files) {
    const capture = readCaptureFile(f);
    for (const d of capture.datagrams) all.push(d);
  }
  return all;
}

/** replay sends the datagrams; resolves to how many were sent once done (or aborted). */
export async function replay(datagrams: Datagram[], options: ReplayOptions): Promise<number> {
  if (datagrams.length === 0) throw new Error('the capture holds no UDP datagrams');
  if (options.rate !== undefined && !(options.rate > 0)) throw new RangeError('rate must be positive');
  let address: string;
  try {
    address = (await lookup(options.to.host)).address;
  } catch (err) {
    throw new Error(`cannot send to ${options.to.host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const socket = dgram.createSocket(isIPv6(address) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (err) => {
      socket.close();
      reject(new Error(`cannot send to ${options.to.host}:${options.to.port}: ${err.message}`));
    });
    socket.connect(options.to.port, address, () => { socket.removeAllListeners('error'); resolve(); });
  });
  socket.on('error', () => { /* ICMP port unreachable while the probe is down: keep sending. */ });
  const t0 = datagrams[0].timeMs;
  const span = Math.max(datagrams[datagrams.length - 1].timeMs - t0, 0) + 1000;
  const started = performance.now();
  let sent = 0;
  try {
    for (let round = 0; options.loop || round === 0; round++) {
      for (let i = 0; i < datagrams.length;) {
        if (options.signal?.aborted) return sent;
        const elapsed = performance.now() - started;
        // How many datagrams are due by now; send them, then sleep a tick.
        const due = options.rate !== undefined
          ? Math.floor((elapsed * options.rate) / 1000) - sent
          : countDue(datagrams, i, t0 - round * span, elapsed);
        for (let k = 0; k < due && i < datagrams.length; k++, i++) {
          await new Promise<void>((resolve) => socket.send(datagrams[i].payload, () => resolve()));
          sent++;
        }
        if (i < datagrams.length) await new Promise((r) => setTimeout(r, TICK_MS));
      }
    }
  } finally {
    socket.close();
  }
  return sent;
}

function countDue(datagrams: Datagram[], from: number, t0: number, elapsed: number): number {
  let n = 0;
  while (from + n < datagrams.length && datagrams[from + n].timeMs - t0 <= elapsed) n++;
  return n;
}
