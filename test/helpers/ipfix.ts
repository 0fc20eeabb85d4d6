/** A small IPFIX message builder for test vectors (RFC 7011 layouts, written out byte by byte). */

/** Field is [informationElementId, length] or [id, length, enterpriseNumber]. */
export type Field = [number, number] | [number, number, number];

const u16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];
const u32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/** uint writes v big-endian in width bytes (reduced-size encoding). */
export function uint(v: number | bigint, width: number): number[] {
  let b = BigInt(v);
  const out = new Array<number>(width);
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(b & 0xffn);
    b >>= 8n;
  }
  return out;
}

/** ipv4 writes dotted-quad text as 4 bytes. */
export const ipv4 = (text: string): number[] => text.split('.').map(Number);

/** ipv6 writes a full (uncompressed or ::-compressed) IPv6 address as 16 bytes. */
export function ipv6(text: string): number[] {
  const [head, tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const words = text.includes('::') ? [...h, ...new Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return words.flatMap((w) => u16(parseInt(w, 16)));
}

/** set writes a set header (id, length) before its body. */
export function set(id: number, body: number[]): number[] {
  return [...u16(id), ...u16(body.length + 4), ...body];
}

/** templateRecord writes one template record. */
export function templateRecord(templateId: number, fields: Field[]): number[] {
  const out = [...u16(templateId), ...u16(fields.length)];
  for (const [ie, len, pen] of fields) {
    out.push(...u16(pen === undefined ? ie : ie | 0x8000), ...u16(len));
    if (pen !== undefined) out.push(...u32(pen));
  }
  return out;
}

/** templateSet writes a template set (id 2) with the given records. */
export const templateSet = (...records: number[][]): number[] => set(2, records.flat());

/** message writes an IPFIX message header (version 10) around its sets. */
export function message(domain: number, ...sets: number[][]): Uint8Array {
  const body = sets.flat();
  return Uint8Array.from([...u16(10), ...u16(body.length + 16), ...u32(1_700_000_000), ...u32(1), ...u32(domain), ...body]);
}

/** IE numbers used by the tests (IANA). */
export const IE = {
  octetDeltaCount: 1, packetDeltaCount: 2, protocolIdentifier: 4, tcpControlBits: 6, sourceTransportPort: 7,
  sourceIPv4Address: 8, destinationTransportPort: 11, destinationIPv4Address: 12, sourceIPv6Address: 27,
  destinationIPv6Address: 28, flowStartMilliseconds: 152, flowEndMilliseconds: 153, applicationName: 96,
} as const;

/** BASIC_V4 is a plain IPv4 template: addresses, ports, protocol, 8-byte counters, ms times. */
export const BASIC_V4: Field[] = [
  [IE.sourceIPv4Address, 4], [IE.destinationIPv4Address, 4], [IE.sourceTransportPort, 2],
  [IE.destinationTransportPort, 2], [IE.protocolIdentifier, 1], [IE.packetDeltaCount, 8], [IE.octetDeltaCount, 8],
  [IE.flowStartMilliseconds, 8], [IE.flowEndMilliseconds, 8],
];

/** basicV4Record writes one record of BASIC_V4. */
export function basicV4Record(src: string, dst: string, packets: number, bytes: number, startMs = 1_700_000_000_000, endMs = startMs + 1000): number[] {
  return [...ipv4(src), ...ipv4(dst), ...u16(12345), ...u16(443), 6, ...uint(packets, 8), ...uint(bytes, 8), ...uint(startMs, 8), ...uint(endMs, 8)];
}

/** templatesOnly is an IPFIX message cut after its template and options template sets (softflowd puts
 * them first), with the message length fixed: what a second probe needs to decode the data sent to it. */
export function templatesOnly(m: Uint8Array): Uint8Array | undefined {
  let o = 16;
  while (o + 4 <= m.length && ((m[o] << 8) | m[o + 1]) <= 3) o += (m[o + 2] << 8) | m[o + 3];
  if (o === 16) return undefined;
  const cut = Uint8Array.from(m.subarray(0, o)); // A copy: Buffer.slice would share (and change) the datagram.
  cut[2] = o >> 8; cut[3] = o & 0xff;
  return cut;
}
