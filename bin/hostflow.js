#!/usr/bin/env node
// hostflow's command line; the code is bundled into dist/ by `npm run build`.
import { main } from '../dist/cli.js';

// A closed pipe (`hostflow aggregate ... | head`) ends the output, not the process with a stack trace.
process.stdout.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });

main(process.argv.slice(2)).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => {
    console.error(`hostflow: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
