// hosts-capture: writes a pcap of IPFIX export datagrams with softflowd's IPFIX template (its template 1024:
// 16 fields, 50 bytes a record, 27 records a datagram as softflowd sends them) whose records touch HOSTS
// hosts: each host in turn sends a TCP flow to a random one of them on one of 5 service ports. For the
// probe end to end with many active hosts a window: `node bench/peers.mjs --capture FILE.pcap`.
// Usage: node bench/tools/hosts-capture.mjs FILE.pcap [HOSTS=100000] [DATAGRAMS=8000]
import { writeFileSync } from 'node:fs';
const HOSTS = Number(process.argv[3] ?? 100_000), DATAGRAMS = Number(process.argv[4] ?? 8000), PER = 27, REC = 50;
if (!process.argv[2] || !(HOSTS > 0 && HOSTS < 2 ** 24) || !(DATAGRAMS > 0)) throw new Error('usage: node bench/tools/hosts-capture.mjs FILE.pcap [HOSTS] [DATAGRAMS]');
const fields = [[8, 4], [12, 4], [152, 8], [153, 8], [1, 4], [2, 4], [10, 4], [14, 4], [61, 1], [136, 1], [7, 2], [11, 2], [4, 1], [6, 1], [60, 1], [5, 1]];
let s = 12345;
const rnd = (n) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n; };
const addr = (i) => (10 << 24) + i + 1; // 10.0.0.1 on
function ipfix(seq, setId, body) {
  const b = Buffer.alloc(20 + body.length);
  b.writeUInt16BE(10, 0); b.writeUInt16BE(b.length, 2); b.writeUInt32BE(Math.floor(Date.now() / 1000), 4); b.writeUInt32BE(seq, 8); b.writeUInt32BE(0, 12);
  b.writeUInt16BE(setId, 16); b.writeUInt16BE(body.length + 4, 18); body.copy(b, 20);
  return b;
}
const tpl = Buffer.alloc(4 + fields.length * 4);
tpl.writeUInt16BE(1024, 0); tpl.writeUInt16BE(fields.length, 2);
fields.forEach(([id, len], i) => { tpl.writeUInt16BE(id, 4 + i * 4); tpl.writeUInt16BE(len, 6 + i * 4); });
const payloads = [ipfix(0, 2, tpl)];
const t = BigInt(Date.now()); // Flow times: when the file was written.
let next = 0, seq = 0;
for (let d = 0; d < DATAGRAMS; d++) {
  const body = Buffer.alloc(PER * REC);
  for (let k = 0; k < PER; k++) {
    const o = k * REC;
    body.writeUInt32BE(addr(next++ % HOSTS) >>> 0, o); body.writeUInt32BE(addr(rnd(HOSTS)) >>> 0, o + 4);
    body.writeBigUInt64BE(t, o + 8); body.writeBigUInt64BE(t + 500n, o + 16);
    body.writeUInt32BE(900 + rnd(9000), o + 24); body.writeUInt32BE(1 + rnd(20), o + 28);
    body.writeUInt32BE(1, o + 32); body.writeUInt32BE(2, o + 36); body[o + 40] = 0; body[o + 41] = 0;
    body.writeUInt16BE(1024 + rnd(60000), o + 42); body.writeUInt16BE([80, 443, 53, 22, 8080][rnd(5)], o + 44);
    body[o + 46] = 6; body[o + 47] = 0x1b; body[o + 48] = 4; body[o + 49] = 0;
  }
  payloads.push(ipfix(seq, 1024, body)); // The sequence: data records sent before this message.
  seq += PER;
}
// pcap: Ethernet / IPv4 / UDP 192.0.2.1:9995 -> 127.0.0.1:4739.
const out = [Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0])];
payloads.forEach((p, i) => {
  const len = 14 + 20 + 8 + p.length;
  const rh = Buffer.alloc(16); rh.writeUInt32LE(1_700_000_000, 0); rh.writeUInt32LE(i, 4); rh.writeUInt32LE(len, 8); rh.writeUInt32LE(len, 12);
  const f = Buffer.alloc(42);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45; f.writeUInt16BE(20 + 8 + p.length, 16); f[22] = 64; f[23] = 17;
  f.writeUInt32BE(0xc0000201, 26); f.writeUInt32BE(0x7f000001, 30);
  f.writeUInt16BE(9995, 34); f.writeUInt16BE(4739, 36); f.writeUInt16BE(8 + p.length, 38);
  out.push(rh, f, p);
});
writeFileSync(process.argv[2], Buffer.concat(out));
console.log(`${payloads.length} datagrams (the first the template), ${DATAGRAMS * PER} records over ${HOSTS} hosts`);
