/** tshark's reading of a capture of export packets: the independent decoder the conformance test compares with. */
import { execFileSync } from 'node:child_process';

/** TsharkFlow is one flow record as tshark's cflow dissector shows it. */
export interface TsharkFlow {
  frame: number;
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  protocol?: number;
  tcpFlags?: number;
  packets?: number[]; // Every packet counter tshark shows, in record order (a biflow has two).
  octets?: number[];
  startMs?: number; // Only when tshark shows absolute times.
  endMs?: number;
}

// The ports tshark is told are NetFlow/IPFIX (as the captures' MANIFEST was made), plus each file's own.
const CFLOW_PORTS = [2055, 2056, 2057, 2100, 4739, 6543, 8096, 9990, 9991, 9992, 9993, 9994, 9995, 9996];

const one = (v: unknown): string | undefined => (Array.isArray(v) ? v[0] : typeof v === 'string' ? v : undefined);
const all = (v: unknown): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);

/** parseAbsTime reads tshark's "Nov 14, 2023 22:13:20.026000000 UTC" to epoch ms (to the microsecond). */
function parseAbsTime(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^(\w+)\s+(\d+), (\d+) (\d+):(\d+):(\d+)(?:\.(\d+))? UTC$/.exec(text.trim());
  if (!m) return undefined;
  const month = 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(m[1]) / 3;
  const frac = Number(`0.${m[7] ?? '0'}`);
  return Date.UTC(Number(m[3]), month, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6])) + Math.round(frac * 1e6) / 1e3;
}

// tshark shows some v9 uptime times as 1970 dates: no time at all.
const plausible = (ms: number | undefined) => (ms !== undefined && ms > Date.UTC(1990, 0, 1) ? ms : undefined);

function collectFlows(o: unknown, frame: number, out: TsharkFlow[]): void {
  if (Array.isArray(o)) { for (const x of o) collectFlows(x, frame, out); return; }
  if (!o || typeof o !== 'object') return;
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (/^(Flow \d+|pdu \d+\/\d+)/.test(k) && v && typeof v === 'object') { // "pdu" in NetFlow v5.
      for (const f of Array.isArray(v) ? v : [v]) out.push(toFlow(f as Record<string, unknown>, frame));
    } else {
      collectFlows(v, frame, out);
    }
  }
}

function toFlow(f: Record<string, unknown>, frame: number): TsharkFlow {
  const num = (k: string) => { const s = one(f[k]); return s === undefined ? undefined : Number(s); };
  const times = (f['cflow.timedelta_tree'] ?? {}) as Record<string, unknown>;
  // The first kind present, as hostflow reads them: delta, else total ("permanent"), else post.
  const counter = (...names: string[][]) => names.map((group) => group.flatMap((n) => all(f[n])).map(Number)).find((v) => v.length > 0) ?? [];
  const packets = counter(['cflow.packets', 'cflow.packets64'], ['cflow.permanent_packets', 'cflow.permanent_packets64'], ['cflow.post_packets']);
  const octets = counter(['cflow.octets', 'cflow.octets64'], ['cflow.permanent_octets', 'cflow.permanent_octets64'], ['cflow.post_octets']);
  // Of the addresses a record carries (IPv4 and IPv6, repeated), the first non-zero one in record order.
  const address = (v4: string, v6: string) => {
    const values = Object.keys(f).filter((k) => k === v4 || k === v6).flatMap((k) => all(f[k]));
    return values.find((a) => a !== '0.0.0.0' && a !== '::') ?? values[0];
  };
  return {
    frame,
    src: address('cflow.srcaddr', 'cflow.srcaddrv6'),
    dst: address('cflow.dstaddr', 'cflow.dstaddrv6'),
    srcPort: num('cflow.srcport'),
    dstPort: num('cflow.dstport'),
    protocol: num('cflow.protocol'),
    tcpFlags: num('cflow.tcpflags'),
    packets: packets.length ? packets : undefined,
    octets: octets.length ? octets : undefined,
    startMs: plausible(parseAbsTime(one(times['cflow.abstimestart']))),
    endMs: plausible(parseAbsTime(one(times['cflow.abstimeend']))),
  };
}

/** tsharkFlows runs tshark over a capture and returns every flow record it decoded. */
export function tsharkFlows(file: string): TsharkFlow[] {
  const ports = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'udp.dstport'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter(Boolean).map((p) => Number(p.split(',')[0]));
  const decodeAs = [...new Set([...CFLOW_PORTS, ...ports])].flatMap((p) => ['-d', `udp.port==${p},cflow`]);
  const json = execFileSync('tshark', ['-r', file, ...decodeAs, '-T', 'json', '--no-duplicate-keys'], {
    encoding: 'utf8', maxBuffer: 512 << 20, stdio: ['ignore', 'pipe', 'ignore'],
  });
  const packets = JSON.parse(json || '[]') as { _source: { layers: Record<string, unknown> } }[];
  const out: TsharkFlow[] = [];
  packets.forEach((p, i) => collectFlows(p._source.layers.cflow, i, out));
  return out;
}
