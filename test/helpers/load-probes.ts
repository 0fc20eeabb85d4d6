// A process of load probes: N real WebSocket connections to a merger, each sending one window of HOSTS
// hosts every second (drawn from a shared pool, so that probes overlap and the merger adds them up), for
// SECONDS windows, then printing what it sent as JSON. Bundled and run by test/e2e/load.test.ts (which
// LOAD_SECONDS=60 makes the longer run of bench/README.md). Usage: node load-probes.mjs URL FIRST_PROBE N HOSTS POOL SECONDS
import WebSocket from 'ws';
import { FrameWriter, decodeAck } from '../../src/protocol/frame.js';
import { FAMILY_IPV4, HOST_FIELD_COUNT, PROBE_ID_HEADER } from '../../src/protocol/messages.js';

const [url, first, n, hosts, pool, seconds] = process.argv.slice(2);
const [FIRST, N, HOSTS, POOL, SECONDS] = [first, n, hosts, pool, seconds].map(Number);

let seed = FIRST + 1;
const rnd = (m: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % m; };

const sockets = await Promise.all(Array.from({ length: N }, (_, i) => new Promise<{ ws: WebSocket; acked: number }>((resolve, reject) => {
  const ws = new WebSocket(url, { headers: { [PROBE_ID_HEADER]: `load-${FIRST + i}` }, perMessageDeflate: false });
  const s = { ws, acked: -1 };
  ws.on('message', (data: Buffer) => { s.acked = Math.max(s.acked, decodeAck(data)); });
  ws.once('open', () => resolve(s));
  ws.once('error', reject);
})));

const writer = new FrameWriter();
const values = new Float64Array(HOST_FIELD_COUNT);
const addr = new Uint8Array(4);
const sent = { frames: 0, bytes: 0, flows: 0, packets: 0, octets: 0, firstWindow: 0, lastWindow: 0, acked: 0 };
const start = Math.ceil(Date.now() / 1000) * 1000 + 1000;
await new Promise((r) => setTimeout(r, start - Date.now()));
for (let k = 0; k < SECONDS; k++) {
  const window = start + k * 1000 - 1000; // The window that just ended, as a probe sends it.
  if (k === 0) sent.firstWindow = window;
  sent.lastWindow = window;
  for (const [i, { ws }] of sockets.entries()) {
    writer.begin({ probeId: `load-${FIRST + i}`, windowStart: window, windowLength: 1000, sequence: k + 1, stats: [] });
    const used = new Set<number>();
    while (used.size < HOSTS) used.add(rnd(POOL));
    for (const h of used) {
      addr.set([10, 200, h >> 8, h & 255]);
      values.fill(0);
      values[0] = 1 + rnd(5); values[1] = 3 * values[0]; values[2] = 500 * values[0];
      sent.flows += values[0]; sent.packets += values[1]; sent.octets += values[2];
      writer.host(FAMILY_IPV4, addr, 0, values);
    }
    const frame = writer.finish();
    ws.send(frame);
    sent.frames++;
    sent.bytes += frame.length;
  }
  const next = start + (k + 1) * 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
}
// Wait for the acknowledgements of the last window (written to the history), at most 30 s.
const deadline = Date.now() + 30_000;
while (sockets.some((s) => s.acked < SECONDS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
sent.acked = sockets.filter((s) => s.acked >= SECONDS).length;
for (const { ws } of sockets) ws.close();
console.log(JSON.stringify(sent));
