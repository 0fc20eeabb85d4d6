// A/B of two builds of the WASM core on one capture, through the raw ABI (so that older builds, whose
// façade differs, run the same loop): each pass ingests every datagram and closes a window (close and
// clear) wherever the capture's own clock crosses a 10-second boundary, and at the end.
// Usage: node bench/run.mjs ab-cores.ts A.wasm B.wasm [CAPTURE] [ROUNDS]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureFile } from '../src/pcap/reader.js';
import { FIXTURES } from '../test/helpers/fixtures.js';

interface RawCore {
  memory: WebAssembly.Memory;
  init(...args: number[]): number;
  inputEnd(): number;
  ingest(len: number, exporter: number, nowMs: number, reliable: number): number;
  closeWindow(): number;
  clear(): void;
  statsAddress(): number;
}

const [a, b, capture = join(FIXTURES, 'softflowd/softflowd-ipfix-ms.pcap.gz'), roundsText = '5'] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node bench/run.mjs ab-cores.ts A.wasm B.wasm [CAPTURE] [ROUNDS]');
const WINDOW_MS = 10_000;
const read = readCaptureFile(capture).datagrams;
const datagrams = read.map((d) => d.payload);
// closesAfter[i]: the window closes after datagram i.
const closesAfter = read.map((d, i) => i === read.length - 1 || Math.floor(read[i + 1].timeMs / WINDOW_MS) !== Math.floor(d.timeMs / WINDOW_MS));
const PASSES = 100, WARMUP = 20;

function load(file: string): RawCore {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { abort() { throw new Error('abort'); } } });
  const core = instance.exports as unknown as RawCore;
  core.init(200_000, 4096, 1024, 512, 0, 64 << 20); // The sixth (sketch bytes) is ignored by builds without sketches.
  return core;
}

/** run returns records per second over PASSES passes, and the records of one pass. */
function run(core: RawCore): [number, number] {
  const end = core.inputEnd();
  let bytes = new Uint8Array(core.memory.buffer);
  const pass = () => {
    for (let i = 0; i < datagrams.length; i++) {
      const d = datagrams[i];
      if (bytes.byteLength === 0) bytes = new Uint8Array(core.memory.buffer);
      bytes.set(d, end - d.length);
      core.ingest(d.length, 1, 1_700_000_000_000, 0);
      if (closesAfter[i]) {
        core.closeWindow();
        core.clear();
      }
    }
  };
  for (let i = 0; i < WARMUP; i++) pass();
  const stats = new BigUint64Array(core.memory.buffer, core.statsAddress(), 3);
  const before = Number(stats[2]);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < PASSES; i++) pass();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const records = Number(new BigUint64Array(core.memory.buffer, core.statsAddress(), 3)[2]) - before;
  return [records / seconds, records / PASSES];
}

console.log(`${datagrams.length} datagrams, ${closesAfter.filter(Boolean).length} windows of ${WINDOW_MS / 1000} s a pass`);
const ratios: number[] = [];
for (let round = 0; round < Number(roundsText); round++) {
  const [ra, n] = run(load(a));
  const [rb] = run(load(b));
  ratios.push(rb / ra);
  console.log(`round ${round + 1}: A ${(ra / 1e6).toFixed(2)} M records/s, B ${(rb / 1e6).toFixed(2)} M records/s, B/A ${(rb / ra).toFixed(2)} (${n} records a pass)`);
}
ratios.sort((x, y) => x - y);
console.log(`median B/A: ${ratios[Math.floor(ratios.length / 2)].toFixed(2)}`);
