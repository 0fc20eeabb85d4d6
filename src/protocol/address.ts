/** Address text forms: 16-byte keys (IPv4 as ::ffff:a.b.c.d) to and from strings (RFC 5952). */

/** isMappedV4 tells whether a 16-byte key at off holds an IPv4-mapped address. */
export function isMappedV4(b: Uint8Array, off = 0): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  return b[off + 10] === 0xff && b[off + 11] === 0xff;
}

/** formatV4 writes the dotted quad of 4 bytes at off. */
export function formatV4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** formatV6 writes 16 bytes at off in RFC 5952 form: lower case, the longest zero run (>= 2) as ::. */
export function formatV6(b: Uint8Array, off = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return words.map((w) => w.toString(16)).join(':');
  const head = words.slice(0, bestStart).map((w) => w.toString(16)).join(':');
  const tail = words.slice(bestStart + bestLen).map((w) => w.toString(16)).join(':');
  return `${head}::${tail}`;
}

/** formatKey writes a 16-byte key as an IPv4 or IPv6 address. */
export function formatKey(b: Uint8Array, off = 0): string {
  return isMappedV4(b, off) ? formatV4(b, off + 12) : formatV6(b, off);
}

/** parseAddress reads IPv4 or IPv6 text into a 16-byte key, or returns undefined if it is not one. */
export function parseAddress(text: string): Uint8Array | undefined {
  const key = new Uint8Array(16);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split('.').map(Number);
    if (parts.some((n) => n > 255)) return undefined;
    key[10] = 0xff; key[11] = 0xff;
    key.set(parts, 12);
    return key;
  }
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const words = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const part of s.split(':')) {
      if (part.includes('.')) {
        const v4 = parseAddress(part);
        if (!v4 || !isMappedV4(v4)) return undefined;
        out.push((v4[12] << 8) | v4[13], (v4[14] << 8) | v4[15]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) {
        out.push(parseInt(part, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = words(halves[0]);
  const tail = halves.length === 2 ? words(halves[1]) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...new Array<number>(fill).fill(0), ...tail];
  all.forEach((w, i) => { key[2 * i] = w >> 8; key[2 * i + 1] = w & 0xff; });
  return key;
}

/** Cidr is a network as 16-byte key and prefix length over those 128 bits (IPv4 /n is ::ffff:0:0/96+n). */
export interface Cidr {
  key: Uint8Array; // The address with the host bits cleared.
  prefix: number;
  text: string;
}

/** parseCidr reads "10.0.0.0/8" or "2001:db8::/32" (a bare address is a /32 or /128), or returns undefined. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, len, extra] = text.trim().split('/');
  if (extra !== undefined) return undefined;
  const key = parseAddress(addr);
  if (!key) return undefined;
  const v4 = isMappedV4(key) && !addr.includes(':');
  const max = v4 ? 32 : 128;
  const bits = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (!(bits >= 0 && bits <= max)) return undefined;
  const prefix = v4 ? 96 + bits : bits;
  for (let i = 0; i < 16; i++) key[i] &= maskByte(prefix, i);
  return { key, prefix, text: `${v4 ? formatV4(key, 12) : formatV6(key)}/${bits}` };
}

/** maskByte is byte i of a 128-bit mask of prefix leading ones. */
export function maskByte(prefix: number, i: number): number {
  const bits = Math.max(0, Math.min(8, prefix - 8 * i));
  return (0xff00 >> bits) & 0xff;
}

/** keyToBigInt reads a 16-byte key as one unsigned 128-bit number (the merger's DuckDB address column). */
export function keyToBigInt(b: Uint8Array, off = 0): bigint {
  const v = new DataView(b.buffer, b.byteOffset + off, 16);
  return (v.getBigUint64(0) << 64n) | v.getBigUint64(8);
}

/** bigIntToKey writes an unsigned 128-bit number as a 16-byte key. */
export function bigIntToKey(n: bigint): Uint8Array {
  const key = new Uint8Array(16);
  const v = new DataView(key.buffer);
  v.setBigUint64(0, n >> 64n);
  v.setBigUint64(8, n & 0xffffffffffffffffn);
  return key;
}

/** cidrRange is a network's first and last address as 128-bit numbers. */
export function cidrRange(c: Cidr): { first: bigint; last: bigint } {
  const first = keyToBigInt(c.key);
  return { first, last: first | ((1n << BigInt(128 - c.prefix)) - 1n) };
}
