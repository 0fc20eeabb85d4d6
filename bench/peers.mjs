// Probe end to end, side by side: the same capture, the same sender (bench/tools/udpblast.c), the same
// offered rates over loopback UDP to a hostflow probe, nfcapd, nfacctd (aggregating by source host) and
// FastNetMon, one after another, the order rotated each round. For each: records accounted per CPU-second
// of the collector's processes (user + system, from /proc), records lost (sent minus accounted), peak RSS.
// Everything is sent to 127.0.0.1 only. Every collector gets the same UDP receive buffer (--rcvbuf, asked of
// the kernel as each one allows: hostflow and nfcapd by setsockopt, nfacctd by nfacctd_pipe_size, and
// FastNetMon, which has no setting, by raising net.core.rmem_default while it opens its socket).
//
// Usage: node bench/peers.mjs [--capture FILE.pcap[.gz]] [--rates 20000,50000,100000] [--seconds 3]
//        [--rounds 3] [--rcvbuf 8388608] [--only hostflow,hostflow-dgram,nfcapd,nfacctd,fastnetmon] [--smoke]
//        (after npm run build; hostflow is the probe with its native UDP reader, hostflow-dgram with node:dgram)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    capture: { type: 'string', default: join(ROOT, 'test/fixtures/softflowd/softflowd-ipfix-ms.pcap.gz') },
    rates: { type: 'string', default: '20000,50000,100000' },
    seconds: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    rcvbuf: { type: 'string', default: String(8 << 20) },
    only: { type: 'string', default: 'hostflow,hostflow-dgram,nfcapd,nfacctd,fastnetmon' },
    smoke: { type: 'boolean', default: false },
  },
});
if (opts.smoke) Object.assign(opts, { rates: '2000', seconds: '1', rounds: '1' });
const RATES = opts.rates.split(',').map(Number);
const SECONDS = Number(opts.seconds);
const ROUNDS = Number(opts.rounds);
const RCVBUF = Number(opts.rcvbuf);
const HZ = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const work = mkdtempSync(join(tmpdir(), 'hostflow-peers-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The capture, uncompressed (udpblast reads pcap), and the flow records in each of its datagrams.
const pcap = join(work, 'capture.pcap');
const raw = readFileSync(opts.capture);
writeFileSync(pcap, opts.capture.endsWith('.gz') ? gunzipSync(raw) : raw);
const perDatagram = [];
for (const line of execFileSync(process.execPath, [join(ROOT, 'bin/hostflow.js'), 'decode', pcap], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')) {
  if (!line.includes('"type":"flow"')) continue;
  const d = JSON.parse(line).datagram;
  perDatagram[d] = (perDatagram[d] ?? 0) + 1;
}
for (let i = 0; i < perDatagram.length; i++) perDatagram[i] ??= 0;
/** recordsIn is how many records udpblast sends in count datagrams (it loops over the capture). */
const recordsIn = (count) => {
  let n = 0;
  for (let i = 0; i < count; i++) n += perDatagram[i % perDatagram.length];
  return n;
};

const udpblast = join(work, 'udpblast');
execFileSync('gcc', ['-O2', '-o', udpblast, join(ROOT, 'bench/tools/udpblast.c')]);

/** Process accounting from /proc: a process and all its descendants. */
function family(pid) {
  const all = [pid];
  for (let k = 0; k < all.length; k++) {
    for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === all[k] && !all.includes(Number(p))) all.push(Number(p));
      } catch { /* gone */ }
    }
  }
  return all;
}
function cpuSeconds(pids) {
  let ticks = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch { /* gone */ }
  }
  return ticks / HZ;
}
function peakRssMb(pids) {
  let kb = 0;
  for (const p of pids) {
    try { kb += Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))[1]); } catch { /* gone */ }
  }
  return kb / 1024;
}
async function httpText(url) {
  try { return await (await fetch(url)).text(); } catch { return ''; }
}

/** Each collector: start() returns { pid, accounted(): Promise<number>, stop(): Promise<number|undefined> }. */
let port = 19400;

/** hostflow starts a merger and a probe with the given UDP reader; only the probe's CPU and memory count. */
async function hostflow(reader) {
  const p = ++port, http = ++port, metrics = ++port;
  // The merger runs at the lowest priority: it is not what is measured, and in a deployment it runs
  // elsewhere. On a machine of two cores beside the sender, its merging of a window of 100,000 hosts took
  // CPU from the probe for seconds, and the probe lost datagrams it would not have lost alone.
  const merger = spawn('nice', ['-n', '19', process.execPath, join(ROOT, 'bin/hostflow.js'), 'merger', '--http', `127.0.0.1:${http}`, '--data', mkdtempSync(join(work, 'merger-'))], { stdio: 'ignore' });
  const probe = spawn(process.execPath, [join(ROOT, 'bin/hostflow.js'), 'probe', '--udp', `127.0.0.1:${p}`, '--tcp', 'off', '--merger', `ws://127.0.0.1:${http}/probe`,
    '--probe-id', 'bench', '--metrics', `127.0.0.1:${metrics}`, '--udp-reader', reader], { stdio: 'ignore' });
  const records = async () => JSON.parse((await httpText(`http://127.0.0.1:${metrics}/status`)) || '{}').core?.records;
  while ((await records()) === undefined) await sleep(100);
  const stop = async () => {
    const n = await records();
    probe.kill('SIGTERM');
    merger.kill('SIGTERM');
    await sleep(300);
    return n;
  };
  return { port: p, pid: probe.pid, accounted: records, stop };
}

const COLLECTORS = {
  hostflow: () => hostflow('native'), // recvmmsg batches into WASM memory (build/recvmmsg.node)
  'hostflow-dgram': () => hostflow('dgram'), // node:dgram, one callback and one Buffer per datagram
  async nfcapd() {
    const p = ++port, dir = join(work, `nfcapd-${p}`);
    mkdirSync(dir);
    const proc = spawn('nfcapd', ['-b', '127.0.0.1', '-p', String(p), '-w', dir, '-t', '3600', '-B', String(RCVBUF)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    await sleep(800);
    // nfcapd says how many flows it stored when it terminates.
    const final = async () => {
      proc.kill('SIGTERM');
      for (let i = 0; i < 50 && !/Flows: \d+/.test(log); i++) await sleep(100);
      return Number(/Flows: (\d+)/.exec(log)?.[1] ?? NaN);
    };
    return { port: p, pid: proc.pid, accounted: async () => undefined, stop: final };
  },
  async nfacctd() {
    const p = ++port, dir = join(work, `nfacctd-${p}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'nfacctd.conf'), [
      'daemonize: false', 'nfacctd_ip: 127.0.0.1', `nfacctd_port: ${p}`, `nfacctd_pipe_size: ${RCVBUF}`, 'plugins: print', 'aggregate: src_host, flows',
      'print_output: csv', `print_output_file: ${dir}/out.csv`, 'print_output_file_append: true', 'print_refresh_time: 1',
    ].join('\n') + '\n');
    const proc = spawn('nfacctd', ['-f', join(dir, 'nfacctd.conf')], { stdio: 'ignore' });
    await sleep(1500);
    const flows = () => {
      if (!existsSync(join(dir, 'out.csv'))) return 0;
      let n = 0;
      for (const line of readFileSync(join(dir, 'out.csv'), 'utf8').split('\n')) {
        const cells = line.split(',');
        if (cells.length === 4 && cells[0] !== 'SRC_IP') n += Number(cells[2]);
      }
      return n;
    };
    return { port: p, pid: proc.pid, accounted: async () => flows(), stop: async () => { proc.kill('SIGINT'); await sleep(2500); return flows(); } };
  },
  async fastnetmon() {
    const p = ++port, prom = ++port, dir = join(work, `fastnetmon-${p}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'networks'), '10.0.0.0/12\n2001:db8::/32\n');
    const conf = readFileSync('/etc/fastnetmon.conf', 'utf8')
      .replace(/^enable_ban = .*/m, 'enable_ban = off').replace(/^enable_ban_ipv6 = .*/m, 'enable_ban_ipv6 = off')
      .replace(/^netflow = .*/m, 'netflow = on').replace(/^netflow_port = .*/m, `netflow_port = ${p}`)
      .replace(/^netflow_host = .*/m, 'netflow_host = 127.0.0.1').replace(/^prometheus = .*/m, 'prometheus = on')
      .replace(/^prometheus_port = .*/m, `prometheus_port = ${prom}`).replace(/^prometheus_host = .*/m, 'prometheus_host = 127.0.0.1')
      .replace(/^networks_list_path = .*/m, `networks_list_path = ${dir}/networks`).replace(/^pid_path = .*/m, `pid_path = ${dir}/pid`)
      .replace(/^mirror_afpacket = .*/m, 'mirror_afpacket = off').replace(/^sflow = .*/m, 'sflow = off');
    writeFileSync(join(dir, 'fastnetmon.conf'), conf);
    const restore = raiseDefaultReceiveBuffer(RCVBUF);
    const proc = spawn('fastnetmon', ['--configuration_file', join(dir, 'fastnetmon.conf'), '--log_to_console', '--disable_pid_logic'], { stdio: 'ignore' });
    const flows = async () => {
      const m = /^fastnetmon_netflow_ipfix_all_protocols_total_flows (\d+)/m.exec(await httpText(`http://127.0.0.1:${prom}/metrics`));
      return m ? Number(m[1]) : undefined;
    };
    try {
      for (let i = 0; i < 100 && (await flows()) === undefined; i++) await sleep(100);
    } finally {
      restore();
    }
    return { port: p, pid: proc.pid, accounted: flows, stop: async () => { const n = await flows(); proc.kill('SIGTERM'); await sleep(500); return n; } };
  },
};

/** raiseDefaultReceiveBuffer sets net.core.rmem_default (sockets that do not ask get it) and returns the undo. */
function raiseDefaultReceiveBuffer(bytes) {
  const path = '/proc/sys/net/core/rmem_default';
  try {
    const before = readFileSync(path, 'utf8').trim();
    writeFileSync(path, String(bytes));
    return () => writeFileSync(path, before);
  } catch {
    console.error(`cannot raise ${path}: FastNetMon keeps the system's default receive buffer`);
    return () => {};
  }
}

const have = (cmd) => { try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; } };
const names = opts.only.split(',').filter((n) => {
  if (!COLLECTORS[n]) throw new Error(`unknown collector ${n}`);
  if (!n.startsWith('hostflow') && !have(n)) { console.error(`skipping ${n}: not installed (Debian: ${n === 'nfcapd' ? 'nfdump' : n === 'nfacctd' ? 'pmacct' : n})`); return false; }
  return true;
});

/** runOne offers rate datagrams/s for SECONDS to one collector and measures it. */
async function runOne(name, rate) {
  const c = await COLLECTORS[name]();
  const pids = family(c.pid);
  const cpu0 = cpuSeconds(pids);
  const count = Math.round(rate * SECONDS);
  execFileSync(udpblast, [pcap, '127.0.0.1', String(c.port), String(count), String(rate)], { stdio: 'ignore' });
  // Let it drain: until its count stops moving (or a few seconds).
  let last = -1;
  for (let i = 0; i < 30; i++) {
    await sleep(200);
    const n = await c.accounted();
    if (n === undefined || n === last) break;
    last = n;
  }
  const all = family(c.pid);
  const cpu = cpuSeconds(all) - cpu0;
  const rss = peakRssMb(all);
  const accounted = await c.stop();
  const sent = recordsIn(count);
  // Below one clock tick of CPU (smoke runs) there is no rate to tell.
  return { name, rate, sent, accounted, lost: sent - accounted, cpu, perCpuSecond: cpu > 0 ? accounted / cpu : NaN, rss };
}

const results = [];
console.error(`capture ${opts.capture}: ${perDatagram.length} datagrams, ${perDatagram.reduce((a, b) => a + b, 0)} records; ${SECONDS} s per run`);
for (let round = 0; round < ROUNDS; round++) {
  for (const rate of RATES) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const r = await runOne(name, rate);
      results.push(r);
      console.error(`round ${round + 1}, ${rate} datagrams/s, ${name}: ${r.accounted} of ${r.sent} records, ${r.cpu.toFixed(2)} CPU-s, ${(r.perCpuSecond / 1e6).toFixed(2)} M records/CPU-s, peak RSS ${r.rss.toFixed(0)} MB`);
    }
  }
}
rmSync(work, { recursive: true, force: true });

console.log('| collector | offered datagrams/s | records sent | records lost (median) | M records per CPU-second (median) | peak RSS MB (max) |');
console.log('| --- | --- | --- | --- | --- | --- |');
const median = (v) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const name of names) {
  for (const rate of RATES) {
    const runs = results.filter((r) => r.name === name && r.rate === rate);
    const perCpu = median(runs.map((r) => r.perCpuSecond));
    console.log(`| ${name} | ${rate} | ${runs[0].sent} | ${median(runs.map((r) => r.lost))} (${(100 * median(runs.map((r) => r.lost)) / runs[0].sent).toFixed(1)} %) | ${Number.isNaN(perCpu) ? 'under a clock tick' : (perCpu / 1e6).toFixed(2)} | ${Math.max(...runs.map((r) => r.rss)).toFixed(0)} |`);
  }
}
if (opts.smoke) {
  const dead = results.filter((r) => !(r.accounted > 0));
  if (dead.length) { console.error(`smoke: no records accounted by ${dead.map((r) => r.name).join(', ')}`); process.exit(1); }
}
