import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newCore, windowRows } from '../helpers/core.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { readCapture } from '../../src/pcap/reader.js';
import { STATUS_OK, STATUS_TEMPLATE_PENDING, DECODE_ERROR_CODES } from '../../src/wasm/abi.js';

// Fixed seed, 100,000 cases per run; FUZZ_CASES=5000000 npx vitest run test/wasm/fuzz.test.ts for a long run by hand.
const CASES = Number(process.env.FUZZ_CASES ?? 100_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);

const CAPTURES = ['ipfix-ms', 'ipfix-uptime', 'ipfix-biflow', 'ipfix-sampled', 'nfv9', 'nfv5'];
const corpus: Uint8Array[] = CAPTURES.flatMap((name) =>
  readCapture(readFileSync(join(FIXTURES, `softflowd/softflowd-${name}.pcap.gz`))).datagrams.slice(0, 150).map((d) => d.payload));

/** setOffsets walks IPFIX/v9 sets by their lengths and returns where each set header starts. */
function setOffsets(m: Uint8Array): number[] {
  const version = (m[0] << 8) | m[1];
  let p = version === 10 ? 16 : version === 9 ? 20 : m.length;
  const out: number[] = [];
  while (p + 4 <= m.length) {
    out.push(p);
    const len = (m[p + 2] << 8) | m[p + 3];
    if (len < 4) break;
    p += len;
  }
  return out;
}

function mutate(src: Uint8Array, random: () => number): Uint8Array {
  const pick = (n: number) => Math.floor(random() * n);
  let m = Uint8Array.from(src);
  const put16 = (at: number, v: number) => { if (at + 1 < m.length) { m[at] = v >> 8; m[at + 1] = v & 0xff; } };
  const sets = setOffsets(m);
  const set = sets.length ? sets[pick(sets.length)] : -1;
  switch (pick(9)) {
    case 0: for (let k = 1 + pick(4); k > 0; k--) m[pick(m.length)] ^= 1 << pick(8); break; // Bit flips.
    case 1: m = m.subarray(0, pick(m.length + 1)); break; // Truncation.
    case 2: put16(2, [0, 3, 0xffff, m.length + 1, m.length - 1 - pick(8)][pick(5)]); break; // Message length (IPFIX) or count (v5/v9).
    case 3: if (set >= 0) put16(set + 2, [0, 3, 0xffff, 5][pick(4)]); break; // A set's length.
    case 4: if (set >= 0) put16(set, [0, 1, 2, 3, 256, 257, 1024, 2048, 65535][pick(9)]); break; // Set ids swapped.
    case 5: if (set >= 0) put16(set + 6, [0, 65535, 1, 300][pick(4)]); break; // A template's field count.
    case 6: if (set >= 0) put16(set + 4, [0, 2, 3, 255, 256][pick(5)]); break; // A template id.
    case 7: { const other = corpus[pick(corpus.length)]; const cut = pick(m.length); const n = new Uint8Array(cut + other.length - Math.min(cut, other.length)); n.set(m.subarray(0, cut)); n.set(other.subarray(cut), cut); m = n; break; } // Splice.
    default: for (let k = 1 + pick(16); k > 0; k--) m[pick(m.length)] = pick(256); // Random bytes.
  }
  return m;
}

describe('the core under mutated real exports', () => {
  it(`never traps, never grows its memory, and gives every rejection a reason (${CASES} cases, seed ${SEED})`, { timeout: Math.max(60_000, CASES / 20) }, () => {
    const core = newCore({ maxHosts: 5000, maxTemplates: 256, templatesPerExporter: 64 });
    const memory = () => (core as unknown as { _wasm: { memory: WebAssembly.Memory } })._wasm.memory.buffer.byteLength;
    const before = memory();
    let seed = SEED;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const reasons = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const base = corpus[Math.floor(random() * corpus.length)];
      const status = core.ingest(mutate(base, random), `198.51.100.${i % 7}`, 1_800_000_000_000 + i);
      if (status !== STATUS_OK && status !== STATUS_TEMPLATE_PENDING) {
        const code = DECODE_ERROR_CODES[status];
        expect(code, `status ${status}`).toBeDefined();
        reasons.set(code, (reasons.get(code) ?? 0) + 1);
      }
      if (i % 1000 === 999) windowRows(core); // Windows close as they would in a probe.
    }
    expect(memory()).toBe(before);
    expect(core.stats().coreFaults, core.lastFault).toBe(0);
    const s = core.stats();
    expect(s.datagrams).toBe(CASES);
    const rejected = [...reasons.values()].reduce((a, b) => a + b, 0);
    expect(s.datagramsRejected).toBe(rejected);
    expect(s.errTruncated + s.errBadVersion + s.errBadSetLength + s.errBadRecord + s.errBadCount + s.errBadTemplate).toBeGreaterThanOrEqual(rejected);
    expect(reasons.size).toBeGreaterThanOrEqual(4); // The mutations reach several checks.
    // The core still decodes a clean exporter exactly afterwards.
    windowRows(core);
    // Its clock runs on from the fuzz's: the least recently seen templates (the fuzzed ones) make room.
    readCapture(readFileSync(join(FIXTURES, 'softflowd/softflowd-nfv9.pcap.gz'))).datagrams
      .forEach((d, i) => core.ingest(d.payload, '192.0.2.200', 1_800_000_000_000 + CASES + i));
    const rows = [...windowRows(core).values()];
    expect(rows.reduce((a, r) => a + r.bytes_out, 0)).toBe(29_959_236);
  });
});
