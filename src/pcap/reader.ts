/** Reads the UDP datagrams of a capture (pcap or pcapng) of export packets: source address and payload. */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { formatV4, formatV6 } from '../protocol/address.js';

/** Datagram is one captured UDP payload with where it came from. */
export interface Datagram {
  timeMs: number; // Capture time, epoch ms.
  source: string; // Exporter address.
  sourcePort: number;
  destinationPort: number;
  payload: Uint8Array; // A view into the capture buffer.
}

/** CaptureSummary counts what was read and what was skipped, and why. */
export interface CaptureSummary {
  datagrams: Datagram[];
  packets: number;
  skipped: Record<string, number>; // Reason -> packets not turned into datagrams.
}

const LINKTYPE_NULL = 0, LINKTYPE_ETHERNET = 1, LINKTYPE_RAW = 101, LINKTYPE_RAW_BSD = 12, LINKTYPE_RAW_14 = 14;
const LINKTYPE_LOOP = 108, LINKTYPE_SLL = 113, LINKTYPE_SLL2 = 276, LINKTYPE_IPV4 = 228, LINKTYPE_IPV6 = 229;

/** CaptureError is a capture file that cannot be read at all. */
export class CaptureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureError';
  }
}

const MAX_GUNZIPPED_BYTES = 1 << 30;

/** readCaptureFile reads a capture from disk; its errors name the file. */
export function readCaptureFile(path: string): CaptureSummary {
  try {
    return readCapture(readFileSync(path));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new CaptureError(`${path}: ${e.code === 'EISDIR' ? 'is a directory' : e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
}

/** readCapture parses a whole capture file held in memory (pcap or pcapng, either may be gzipped). */
export function readCapture(buf: Uint8Array): CaptureSummary {
  const out: CaptureSummary = { datagrams: [], packets: 0, skipped: {} };
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = gunzipSync(buf, { maxOutputLength: MAX_GUNZIPPED_BYTES });
    } catch (err) {
      throw new CaptureError(`cannot gunzip the capture: ${(err as Error).message}`);
    }
  }
  if (buf.length < 4) throw new CaptureError('file too short for a capture header');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  const version = view.getUint16(0, false);
  if (magic === 0x0a0d0d0a) readPcapng(buf, view, out);
  else if (version === 10 || version === 9 || version === 5) readExportMessages(buf, view, version, out);
  else readPcap(buf, view, out);
  return out;
}

/** FILE_EXPORTER is the exporter address given to messages read from a file rather than a capture. */
export const FILE_EXPORTER = '0.0.0.0';

/** readExportMessages reads a file of export messages: an IPFIX file (RFC 5655: messages back to back,
 * split by their length fields), or one NetFlow v9/v5 packet (a payload dump), as datagrams. */
function readExportMessages(buf: Uint8Array, view: DataView, version: number, out: CaptureSummary): void {
  const push = (payload: Uint8Array, timeMs: number) =>
    out.datagrams.push({ timeMs, source: FILE_EXPORTER, sourcePort: 0, destinationPort: 0, payload });
  if (version !== 10) {
    out.packets++;
    push(buf, buf.length >= 12 ? view.getUint32(8, false) * 1000 : 0);
    return;
  }
  let p = 0;
  while (p + 16 <= buf.length) {
    const length = view.getUint16(p + 2, false);
    out.packets++;
    if (view.getUint16(p, false) !== 10 || length < 16 || p + length > buf.length) {
      skip(out, 'bad IPFIX message in file');
      return;
    }
    // Fewer than a header's bytes after the last message stay with it, as a datagram's trailing bytes would.
    const end = buf.length - (p + length) < 16 ? buf.length : p + length;
    push(buf.subarray(p, end), view.getUint32(p + 4, false) * 1000);
    p = end;
  }
}

function skip(out: CaptureSummary, reason: string): void {
  out.skipped[reason] = (out.skipped[reason] ?? 0) + 1;
}

function readPcap(buf: Uint8Array, view: DataView, out: CaptureSummary): void {
  const magic = view.getUint32(0, true);
  let little: boolean, nanos: boolean;
  if (magic === 0xa1b2c3d4) { little = true; nanos = false; }
  else if (magic === 0xa1b23c4d) { little = true; nanos = true; }
  else if (magic === 0xd4c3b2a1) { little = false; nanos = false; }
  else if (magic === 0x4d3cb2a1) { little = false; nanos = true; }
  else throw new CaptureError('not a pcap or pcapng file (bad magic)');
  if (buf.length < 24) throw new CaptureError('pcap header truncated');
  const linktype = view.getUint32(20, little) & 0x0fffffff;
  let p = 24;
  while (p + 16 <= buf.length) {
    const sec = view.getUint32(p, little);
    const frac = view.getUint32(p + 4, little);
    const caplen = view.getUint32(p + 8, little);
    p += 16;
    if (caplen > buf.length - p) {
      skip(out, 'truncated record');
      break;
    }
    out.packets++;
    const timeMs = sec * 1000 + (nanos ? frac / 1e6 : frac / 1e3);
    readLinkLayer(buf.subarray(p, p + caplen), linktype, timeMs, out);
    p += caplen;
  }
}

function readPcapng(buf: Uint8Array, view: DataView, out: CaptureSummary): void {
  let little = true;
  const interfaces: { linktype: number; tsDivisor: number }[] = [];
  let p = 0;
  while (p + 12 <= buf.length) {
    const type = view.getUint32(p, little);
    if (type === 0x0a0d0d0a) { // Section header: its byte-order magic sets the endianness.
      little = view.getUint32(p + 8, true) === 0x1a2b3c4d;
      interfaces.length = 0;
    }
    const length = view.getUint32(p + 4, little);
    if (length < 12 || length % 4 !== 0 || p + length > buf.length) {
      skip(out, 'truncated block');
      break;
    }
    if (type === 1 && length >= 20) { // Interface description.
      interfaces.push({ linktype: view.getUint16(p + 8, little), tsDivisor: ifTsDivisor(buf, view, p, length, little) });
    } else if (type === 6 && length >= 32) { // Enhanced packet.
      const iface = interfaces[view.getUint32(p + 8, little)];
      const caplen = view.getUint32(p + 20, little);
      out.packets++;
      if (!iface || caplen > length - 32) skip(out, 'bad enhanced packet block');
      else {
        const ts = view.getUint32(p + 12, little) * 0x1_0000_0000 + view.getUint32(p + 16, little);
        readLinkLayer(buf.subarray(p + 28, p + 28 + caplen), iface.linktype, ts / iface.tsDivisor, out);
      }
    } else if (type === 3 && length >= 16) { // Simple packet: no timestamp.
      const iface = interfaces[0];
      out.packets++;
      const caplen = Math.min(view.getUint32(p + 8, little), length - 16);
      if (!iface) skip(out, 'simple packet before any interface');
      else readLinkLayer(buf.subarray(p + 12, p + 12 + caplen), iface.linktype, 0, out);
    }
    p += length;
  }
}

/** ifTsDivisor reads if_tsresol (option 9) and returns units per millisecond (default microseconds). */
function ifTsDivisor(buf: Uint8Array, view: DataView, p: number, length: number, little: boolean): number {
  let o = p + 16;
  const end = p + length - 4;
  while (o + 4 <= end) {
    const code = view.getUint16(o, little);
    const len = view.getUint16(o + 2, little);
    if (code === 0) break;
    if (code === 9 && len >= 1) {
      const r = buf[o + 4];
      const unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      return unitsPerSecond / 1000;
    }
    o += 4 + ((len + 3) & ~3);
  }
  return 1000;
}

function readLinkLayer(frame: Uint8Array, linktype: number, timeMs: number, out: CaptureSummary): void {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  let off: number, etherType: number;
  switch (linktype) {
    case LINKTYPE_ETHERNET:
      if (frame.length < 14) return skip(out, 'short link header');
      etherType = view.getUint16(12);
      off = 14;
      while ((etherType === 0x8100 || etherType === 0x88a8) && off + 4 <= frame.length) {
        etherType = view.getUint16(off + 2);
        off += 4;
      }
      break;
    case LINKTYPE_NULL: case LINKTYPE_LOOP: {
      if (frame.length < 4) return skip(out, 'short link header');
      const family = linktype === LINKTYPE_LOOP ? view.getUint32(0, false) : (view.getUint32(0, true) > 0xffff ? view.getUint32(0, false) : view.getUint32(0, true));
      etherType = family === 2 ? 0x0800 : 0x86dd;
      off = 4;
      break;
    }
    case LINKTYPE_SLL:
      if (frame.length < 16) return skip(out, 'short link header');
      etherType = view.getUint16(14);
      off = 16;
      break;
    case LINKTYPE_SLL2:
      if (frame.length < 20) return skip(out, 'short link header');
      etherType = view.getUint16(0);
      off = 20;
      break;
    case LINKTYPE_RAW: case LINKTYPE_RAW_BSD: case LINKTYPE_RAW_14: case LINKTYPE_IPV4: case LINKTYPE_IPV6:
      if (frame.length < 1) return skip(out, 'empty packet');
      etherType = frame[0] >> 4 === 6 ? 0x86dd : 0x0800;
      off = 0;
      break;
    default:
      return skip(out, `link type ${linktype}`);
  }
  if (etherType === 0x0800) readIPv4(frame, view, off, timeMs, out);
  else if (etherType === 0x86dd) readIPv6(frame, view, off, timeMs, out);
  else skip(out, 'not IP');
}

function readIPv4(frame: Uint8Array, view: DataView, off: number, timeMs: number, out: CaptureSummary): void {
  if (frame.length - off < 20 || frame[off] >> 4 !== 4) return skip(out, 'bad IPv4 header');
  const ihl = (frame[off] & 0x0f) * 4;
  const total = view.getUint16(off + 2);
  if (ihl < 20 || total < ihl || off + ihl > frame.length) return skip(out, 'bad IPv4 header');
  if (view.getUint16(off + 6) & 0x3fff) return skip(out, 'IPv4 fragment');
  if (frame[off + 9] !== 17) return skip(out, 'not UDP');
  const end = Math.min(frame.length, off + total);
  readUdp(frame, view, off + ihl, end, formatV4(frame, off + 12), timeMs, out);
}

function readIPv6(frame: Uint8Array, view: DataView, off: number, timeMs: number, out: CaptureSummary): void {
  if (frame.length - off < 40 || frame[off] >> 4 !== 6) return skip(out, 'bad IPv6 header');
  const end = Math.min(frame.length, off + 40 + view.getUint16(off + 4));
  let next = frame[off + 6];
  let p = off + 40;
  while (next === 0 || next === 43 || next === 60) { // Hop-by-hop, routing, destination options.
    if (p + 2 > end) return skip(out, 'bad IPv6 extension header');
    next = frame[p];
    p += (frame[p + 1] + 1) * 8;
  }
  if (next === 44) return skip(out, 'IPv6 fragment');
  if (next !== 17) return skip(out, 'not UDP');
  readUdp(frame, view, p, end, formatV6(frame, off + 8), timeMs, out);
}

function readUdp(frame: Uint8Array, view: DataView, off: number, end: number, source: string, timeMs: number, out: CaptureSummary): void {
  if (end - off < 8) return skip(out, 'short UDP header');
  const udpLength = view.getUint16(off + 4);
  const payloadEnd = udpLength >= 8 ? Math.min(end, off + udpLength) : end;
  out.datagrams.push({
    timeMs,
    source,
    sourcePort: view.getUint16(off),
    destinationPort: view.getUint16(off + 2),
    payload: frame.subarray(off + 8, payloadEnd),
  });
}
