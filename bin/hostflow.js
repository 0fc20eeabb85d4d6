#!/usr/bin/env node
// hostflow's command line; the code is bundled into dist/ by `npm run build`.
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => {
    console.error(`hostflow: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
