// Bundles the web UI (web/src/main.ts) and copies web/index.html into dist/web; `--watch` rebuilds on change.
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(webDir, '..', 'dist', 'web');
const watch = process.argv.includes('--watch');

/** Copies index.html after every build, so that watch mode picks up its edits too. */
const copyIndexHtml = {
  name: 'copy-index-html',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length === 0) await copyFile(path.join(webDir, 'index.html'), path.join(outDir, 'index.html'));
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
const options = {
  entryPoints: [path.join(webDir, 'src', 'main.ts')],
  outfile: path.join(outDir, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  // Lit decorators are TypeScript experimental decorators (experimentalDecorators, useDefineForClassFields
  // false), read from web/tsconfig.json; the same file drives `tsc -p web/tsconfig.json`.
  tsconfig: path.join(webDir, 'tsconfig.json'),
  legalComments: 'eof',
  loader: { '.css': 'text' }, // uPlot's stylesheet, adopted inside <hf-chart>'s shadow root.
  logLevel: 'info',
  plugins: [copyIndexHtml],
};

await mkdir(outDir, { recursive: true });
if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
