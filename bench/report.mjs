// Runs the benchmarks and prints records/s and MB/s from the [records, bytes] in each bench's name.
// Usage: node bench/report.mjs   (after npm run build)
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { runScript } from './run.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = join(mkdtempSync(join(tmpdir(), 'hostflow-bench-')), 'bench.json');
execFileSync('npx', ['vitest', 'bench', '--run', '--outputJson', out], { stdio: ['ignore', 'ignore', 'inherit'] });
const report = JSON.parse(readFileSync(out, 'utf8'));
console.log('| benchmark | passes/s | records (or host-deltas)/s | MB/s |\n| --- | --- | --- | --- |');
for (const file of report.files) {
  for (const group of file.groups) {
    for (const b of group.benchmarks) {
      const m = /^(.*) \[(\d+) (?:records|host-deltas), (\d+) bytes\]$/.exec(b.name);
      if (!m) continue;
      const [, label, records, bytes] = m;
      const fmt = (n) => n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : n.toFixed(0);
      console.log(`| ${label} | ${b.hz.toFixed(0)} | ${fmt(b.hz * Number(records))} | ${(b.hz * Number(bytes) / 1e6).toFixed(0)} |`);
    }
  }
}

// Sizes, from bench/size.ts.
console.log('\n| size | figure |\n| --- | --- |');
console.log((await runScript('size.ts', [], { stdio: ['ignore', 'pipe', 'inherit'] })).trim());
