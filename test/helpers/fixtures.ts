/** Fixture paths and the nfdump oracle beside the captures. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { DISTINCT_FIELDS, SKETCH_EXACT_LIMIT } from '../../src/protocol/messages.js';

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

/** hostOracle reads derive-host-oracle.py's output: per host, the columns beyond nfdump's six (from tshark). */
export function hostOracle(name = 'softflowd-ipfix-ms'): { columns: string[]; hosts: Map<string, Record<string, number>> } {
  const [header, ...lines] = readFileSync(join(FIXTURES, `softflowd/${name}.host-oracle.csv`), 'utf8').trim().split('\n');
  const columns = header.split(',').slice(1);
  const hosts = new Map<string, Record<string, number>>();
  for (const line of lines) {
    const [host, ...values] = line.split(',');
    hosts.set(host, Object.fromEntries(columns.map((c, i) => [c, Number(values[i])])));
  }
  return { columns, hosts };
}

const DISTINCT = new Set<string>(DISTINCT_FIELDS);

/** approximate says whether a column's expected value is a HyperLogLog estimate (a distinct count past the exact limit). */
const approximate = (column: string, want: number) => DISTINCT.has(column) && want > SKETCH_EXACT_LIMIT;

/** sameStatistic compares one statistic: exactly, but a distinct count past the exact limit within 2 %. */
export function sameStatistic(column: string, got: number, want: number): boolean {
  return approximate(column, want) ? Math.abs(got - want) / want <= 0.02 : got === want;
}

/** hostOracleMismatches compares rows (host -> column -> value) with the host oracle: every column
 * exactly, but distinct counts above the exact limit within 2 % (HyperLogLog). */
export function hostOracleMismatches(rows: Map<string, Record<string, unknown>>, name?: string): { wrong: string[]; estimated: number } {
  const { columns, hosts } = hostOracle(name);
  const wrong: string[] = [];
  let estimated = 0;
  for (const [host, want] of hosts) {
    const got = rows.get(host);
    for (const c of columns) {
      const g = Number(got?.[c] ?? 0), w = want[c];
      if (approximate(c, w)) estimated++;
      if (!sameStatistic(c, g, w)) wrong.push(`${host} ${c}: ${g} vs ${w}`);
    }
  }
  if (rows.size !== hosts.size) wrong.push(`${rows.size} hosts vs ${hosts.size}`);
  return { wrong, estimated };
}
