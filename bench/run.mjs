// Bundles one bench/*.ts script with esbuild and runs it with the given arguments.
// Usage: node bench/run.mjs SCRIPT.ts [ARGS...]   (after npm run build)
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, basename } from 'node:path';
import { rmSync } from 'node:fs';

/** runScript bundles bench/NAME.ts beside itself (two levels down, as test/helpers is: its paths resolve alike) and runs it. */
export async function runScript(name, args = [], options = { stdio: 'inherit' }) {
  const here = dirname(fileURLToPath(import.meta.url));
  const out = join(here, '.tmp', basename(name).replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [join(here, name)], outfile: out, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'error' });
  try {
    return execFileSync(process.execPath, [out, ...args], { encoding: 'utf8', ...options });
  } finally {
    rmSync(join(here, '.tmp'), { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, ...args] = process.argv.slice(2);
  if (!name) throw new Error('usage: node bench/run.mjs SCRIPT.ts [ARGS...]');
  await runScript(name, args);
}
