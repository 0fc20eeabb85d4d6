// Probe memory: the resident size of a real probe process (hostflow probe, with a merger beside it) after
// a window with N active hosts, for N = 10,000, 100,000 and 1,000,000. Each host sends one flow to one of
// 100 servers, all in one 60-second window; the probe's peak RSS (VmHWM) is read from /proc once it has
// accounted every record. The probe runs with its defaults, but --max-hosts raised to N where N is larger.
// RSS counts the pages of the node binary a process has touched (file-backed, shared by every Node.js
// process, and dropped by the kernel under pressure) as well as its own: the table splits them, for the
// probe and for a bare `node` beside it (RssAnon and RssFile of /proc/PID/status). Loopback only.
// Usage: node bench/probe-rss.mjs [N,...]   (after npm run build)
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import dgram from 'node:dgram';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SIZES = (process.argv[2] ?? '10000,100000,1000000').split(',').map(Number);
const PER_DATAGRAM = 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** message writes an IPFIX message: header, then one set. */
function message(sequence, setId, body) {
  const b = Buffer.alloc(16 + 4 + body.length);
  b.writeUInt16BE(10, 0); b.writeUInt16BE(b.length, 2); b.writeUInt32BE(1_700_000_000, 4); b.writeUInt32BE(sequence, 8); b.writeUInt32BE(0, 12);
  b.writeUInt16BE(setId, 16); b.writeUInt16BE(body.length + 4, 18);
  body.copy(b, 20);
  return b;
}
// Template 256: sourceIPv4Address, destinationIPv4Address, ports, protocol, packetDeltaCount, octetDeltaCount.
const fields = [[8, 4], [12, 4], [7, 2], [11, 2], [4, 1], [2, 4], [1, 4]];
const template = Buffer.alloc(4 + fields.length * 4);
template.writeUInt16BE(256, 0); template.writeUInt16BE(fields.length, 2);
fields.forEach(([id, len], i) => { template.writeUInt16BE(id, 4 + i * 4); template.writeUInt16BE(len, 6 + i * 4); });
const RECORD = 21;

async function measure(hosts) {
  const http = 19601, udp = 19602, metrics = 19603;
  const data = mkdtempSync(join(tmpdir(), 'hostflow-rss-'));
  const merger = spawn(process.execPath, [join(ROOT, 'bin/hostflow.js'), 'merger', '--http', `127.0.0.1:${http}`, '--window', '60s', '--data', data], { stdio: 'ignore' });
  const probe = spawn(process.execPath, [join(ROOT, 'bin/hostflow.js'), 'probe', '--udp', `127.0.0.1:${udp}`, '--tcp', 'off', '--window', '60s',
    '--merger', `ws://127.0.0.1:${http}/probe`, '--probe-id', 'rss', '--metrics', `127.0.0.1:${metrics}`, '--max-hosts', String(Math.max(200_000, hosts))], { stdio: 'ignore' });
  const status = async () => { try { return await (await fetch(`http://127.0.0.1:${metrics}/status`)).json(); } catch { return undefined; } };
  while (!(await status())) await sleep(100);
  const rss = (field) => kib(`/proc/${probe.pid}/status`, field) / 1024;
  const idle = rss('VmRSS');
  const socket = dgram.createSocket('udp4');
  const send = (b) => new Promise((resolve, reject) => socket.send(b, udp, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
  let sequence = 0;
  await send(message(sequence, 2, template));
  for (let h = 0; h < hosts; h += PER_DATAGRAM) {
    const n = Math.min(PER_DATAGRAM, hosts - h);
    const body = Buffer.alloc(n * RECORD);
    for (let k = 0; k < n; k++) {
      const i = h + k, o = k * RECORD;
      body.writeUInt32BE((10 << 24) + i + 1, o); // 10.x.y.z: one host each
      body.writeUInt32BE(0xc0a80000 + (i % 100), o + 4); // to one of 100 servers
      body.writeUInt16BE(1024 + (i % 60000), o + 8); body.writeUInt16BE(443, o + 10); body[o + 12] = 6;
      body.writeUInt32BE(3, o + 13); body.writeUInt32BE(900, o + 17);
    }
    await send(message(++sequence, 256, body));
    if ((h / PER_DATAGRAM) % 50 === 49) await sleep(5); // Paced, so that none is lost at the socket.
  }
  socket.close();
  let s;
  for (let i = 0; i < 600 && (s = await status())?.core?.records < hosts; i++) await sleep(50);
  const result = { hosts, records: s?.core?.records, idleMb: idle, rssMb: rss('VmRSS'), peakMb: rss('VmHWM'), ...split(probe.pid) };
  probe.kill('SIGTERM');
  merger.kill('SIGTERM');
  await sleep(500);
  rmSync(data, { recursive: true, force: true });
  return result;
}

/** kib reads a "Field: N kB" line of a /proc file. */
function kib(file, field) {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(file, 'utf8'))[1]);
}

/** split is a process's resident memory as its own (anonymous) pages and file-backed ones, in MB. */
function split(pid) {
  const file = `/proc/${pid}/status`;
  return { anonMb: kib(file, 'RssAnon') / 1024, fileMb: kib(file, 'RssFile') / 1024 };
}

const bare = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)'], { stdio: 'ignore' });
await sleep(1000);
const node = { rssMb: kib(`/proc/${bare.pid}/status`, 'VmRSS') / 1024, ...split(bare.pid) };
bare.kill();
const mb = (v) => `${v.toFixed(0)} MB`;
console.log('| active hosts in the window | records accounted | probe RSS idle | probe RSS after the window\'s records | of which its own (anonymous) | of which file-backed (shared) | peak RSS |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
console.log(`| a bare node, for comparison | | ${mb(node.rssMb)} | | ${mb(node.anonMb)} | ${mb(node.fileMb)} | |`);
for (const n of SIZES) {
  const r = await measure(n);
  console.log(`| ${n.toLocaleString('en')} | ${r.records} | ${mb(r.idleMb)} | ${mb(r.rssMb)} | ${mb(r.anonMb)} | ${mb(r.fileMb)} | ${mb(r.peakMb)} |`);
}
