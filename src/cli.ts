/** hostflow's command line: parse flags, build components, start them; nothing else. */
import { aggregateCaptures, formatCsv } from './offline/aggregate.js';

/** main runs one command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number | void> {
  const [command, ...rest] = argv;
  if (command === 'aggregate') {
    const files = rest.filter((a) => !a.startsWith('--'));
    const result = aggregateCaptures(files);
    process.stdout.write(formatCsv(result.hosts));
    console.error(JSON.stringify(result.stats));
    return 0;
  }
  return 2;
}
