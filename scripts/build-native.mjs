// Builds the optional native UDP reader (native/recvmmsg.c -> build/recvmmsg.node) with the C compiler
// and Node's own headers. It is optional: where it cannot be built (no compiler, no headers, not Linux)
// this says why and the probe reads UDP with node:dgram.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build/recvmmsg.node');
const candidates = [process.env.npm_config_nodedir, join(dirname(process.execPath), '..')].filter(Boolean).map((d) => join(d, 'include/node'));
const include = candidates.find((d) => existsSync(join(d, 'node_api.h')) && existsSync(join(d, 'uv.h')));
rmSync(out, { force: true }); // A stale build must not outlive a failed one.
try {
  if (process.platform !== 'linux') throw new Error(`recvmmsg is Linux only (this is ${process.platform})`);
  if (!include) throw new Error(`no Node.js headers (node_api.h, uv.h) in ${candidates.join(', ')}`);
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(process.env.CC ?? 'cc', ['-O2', '-shared', '-fPIC', '-Wall', '-DNODE_GYP_MODULE_NAME=recvmmsg', `-I${include}`, '-o', out, join(root, 'native/recvmmsg.c')], { stdio: 'inherit' });
} catch (err) {
  console.warn(`native UDP reader not built (${err.message.split('\n')[0]}); the probe will use node:dgram`);
}
