// Prefix arithmetic for the heatmap and the search box: IPv4 and IPv6 as 128-bit bigints (IPv4 mapped,
// ::ffff:a.b.c.d, as the merger stores them), parsing, RFC 5952 text, cells and zoom steps.

/** A prefix: `addr` is the 128-bit address with the host bits cleared, `len` its length in 128-bit terms. */
export interface Prefix {
  addr: bigint;
  len: number; // 0..128; an IPv4 /8 is 96 + 8.
  v4: boolean;
}

const V4_BASE = 0xffffn << 32n;
const ALL = (1n << 128n) - 1n;

function parseV4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined;
    n = (n << 8n) | BigInt(p);
  }
  return n;
}

function parseV6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split('::').length > 2) return undefined;
  let tail = text;
  let v4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    v4 = parseV4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = tail.split('::') as [string, string | undefined];
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const h = groups(head), t = rest === undefined ? [] : groups(rest);
  const fill = 8 - h.length - t.length;
  if (rest === undefined ? fill !== 0 : fill < 1) return undefined;
  let n = 0n;
  for (const g of [...h, ...Array<string>(rest === undefined ? 0 : fill).fill('0'), ...t]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(`0x${g}`);
  }
  return v4 === undefined ? n : (n & ~0xffffffffn) | v4;
}

/** parseAddress reads an IPv4 or IPv6 address into 128 bits (IPv4 mapped); undefined if it is not one. */
export function parseAddress(text: string): { addr: bigint; v4: boolean } | undefined {
  const v4 = parseV4(text);
  if (v4 !== undefined) return { addr: V4_BASE | v4, v4: true };
  const v6 = parseV6(text);
  if (v6 === undefined) return undefined;
  return { addr: v6, v4: v6 >> 32n === 0xffffn };
}

const mask = (len: number): bigint => (len === 0 ? 0n : (ALL << BigInt(128 - len)) & ALL);

/** parsePrefix reads "10.20.0.0/16", "2001:db8::/32" or a bare address (a host prefix); host bits are cleared. */
export function parsePrefix(text: string): Prefix | undefined {
  const [a = '', l, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const parsed = parseAddress(a);
  if (!parsed) return undefined;
  const max = parsed.v4 ? 32 : 128;
  if (l !== undefined && !/^\d{1,3}$/.test(l)) return undefined;
  const n = l === undefined ? max : Number(l);
  if (n > max) return undefined;
  const len = parsed.v4 ? 96 + n : n;
  return { addr: parsed.addr & mask(len), len, v4: parsed.v4 };
}

/** formatAddress writes 128 bits as text: dotted IPv4 for mapped addresses, else RFC 5952 (lower case, the
 * longest run of two or more zero groups as ::, the first of equal runs). */
export function formatAddress(addr: bigint, v4: boolean): string {
  if (v4) return [24n, 16n, 8n, 0n].map((s) => String((addr >> s) & 255n)).join('.');
  const g = Array.from({ length: 8 }, (_, i) => Number((addr >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** prefixLength is the length as written: 16 for an IPv4 /16. */
export const prefixLength = (p: Prefix): number => (p.v4 ? p.len - 96 : p.len);

export const formatPrefix = (p: Prefix): string => `${formatAddress(p.addr, p.v4)}/${prefixLength(p)}`;

export const isHost = (p: Prefix): boolean => p.len === 128;

/** cellLength is the length of the heatmap's cells for a prefix: 16 bits deeper, at most a host. */
export const cellLength = (p: Prefix): number => Math.min(p.len + 16, 128);

/** gridColumns is the heatmap's width in cells: the low half of the cell bits is the column. */
export const gridColumns = (p: Prefix): number => 2 ** Math.ceil((cellLength(p) - p.len) / 2);

/** cellPrefix is cell `index` of prefix p (the merger's order: the cell's bits after the prefix). */
export function cellPrefix(p: Prefix, index: number): Prefix {
  const cl = cellLength(p);
  return { addr: p.addr | (BigInt(index) << BigInt(128 - cl)), len: cl, v4: p.v4 };
}

/** zoomInto is where clicking a cell goes: a host cell is the host; otherwise the prefix 8 bits deeper that
 * holds the cell (IPv4 /0 -> /8 -> /16 -> /24; IPv6 two nibbles a step). */
export function zoomInto(p: Prefix, index: number): Prefix {
  const cell = cellPrefix(p, index);
  if (isHost(cell)) return cell;
  const len = Math.min(p.len + 8, cell.len);
  return { addr: cell.addr & mask(len), len, v4: p.v4 };
}

/** narrower is the prefix 8 bits deeper that holds cell `index` (the wheel's zoom: a /16 of hosts to the
 * /24 under the pointer), undefined below a /120 (its cells are the hosts themselves). */
export function narrower(p: Prefix, index: number): Prefix | undefined {
  if (p.len + 8 >= 128) return undefined;
  const cell = cellPrefix(p, index), len = p.len + 8;
  return { addr: cell.addr & mask(len), len, v4: p.v4 };
}

/** ancestors are the breadcrumbs from the root (IPv4 /0 or IPv6 /0) down to p, in steps of 8 bits. */
export function ancestors(p: Prefix): Prefix[] {
  const root = p.v4 ? 96 : 0;
  const out: Prefix[] = [];
  for (let len = root; len < p.len; len += 8) out.push({ addr: p.addr & mask(len), len, v4: p.v4 });
  return out;
}

/** contains says whether an address lies in a prefix. */
export const contains = (p: Prefix, addr: bigint): boolean => (addr & mask(p.len)) === p.addr;

/** cellIndex is the index of the cell of p that holds addr. */
export const cellIndex = (p: Prefix, addr: bigint): number => Number((addr & ~mask(p.len) & ALL) >> BigInt(128 - cellLength(p)));

export const ROOT_V4: Prefix = { addr: V4_BASE, len: 96, v4: true };

/** coveringPrefix is the longest prefix on an 8-bit boundary (a zoom level) holding every address, at most
 * a /16 for IPv4 (whose grid shows hosts); undefined if they are not all of one family. */
export function coveringPrefix(addresses: string[]): Prefix | undefined {
  const parsed = addresses.map(parseAddress).filter((a) => a !== undefined);
  if (parsed.length === 0 || parsed.length !== addresses.length || parsed.some((a) => a.v4 !== parsed[0]!.v4)) return undefined;
  const v4 = parsed[0]!.v4, max = v4 ? 96 + 16 : 112;
  let len = v4 ? 96 : 0;
  while (len + 8 <= max && parsed.every((a) => (a.addr & mask(len + 8)) === (parsed[0]!.addr & mask(len + 8)))) len += 8;
  return { addr: parsed[0]!.addr & mask(len), len, v4 };
}
