/** Fixture paths and the nfdump oracle beside the captures. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = join(ROOT, 'test/fixtures');
export const SOFTFLOWD_IPFIX_MS = join(FIXTURES, 'softflowd/softflowd-ipfix-ms.pcap.gz');

/** Oracle maps an address to [flows, packets, bytes]. */
export type Oracle = Map<string, [number, number, number]>;

/** readNfdumpCsv reads nfdump's "-A srcip/dstip" sums: address, flows, packets, bytes per line. */
export function readNfdumpCsv(path: string): Oracle {
  const out: Oracle = new Map();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 4) continue;
    out.set(cells[0], [Number(cells[1]), Number(cells[2]), Number(cells[3])]);
  }
  return out;
}

/** softflowdOracle gives the by-srcip and by-dstip sums of a bundled softflowd capture. */
export function softflowdOracle(name = 'softflowd-ipfix-ms'): { out: Oracle; in: Oracle } {
  return {
    out: readNfdumpCsv(join(FIXTURES, `softflowd/${name}.by-srcip.csv`)),
    in: readNfdumpCsv(join(FIXTURES, `softflowd/${name}.by-dstip.csv`)),
  };
}

/** hex turns "0a 00 ..." (spaces and newlines allowed) into bytes. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2) throw new Error('odd hex length');
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}
