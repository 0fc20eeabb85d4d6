/** Datagrams the kernel dropped before the probe read them: the drops column of /proc/net/udp and udp6
 * (Linux) for the sockets bound to a port. Elsewhere the platform does not say: undefined. */
import { readFileSync } from 'node:fs';

const FILES = ['/proc/net/udp', '/proc/net/udp6'];

/** udpKernelDrops sums the drops of every UDP socket on this port, or undefined where /proc cannot tell. */
export function udpKernelDrops(port: number): number | undefined {
  let total = 0;
  let found = false;
  for (const file of FILES) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 13 || parseInt(fields[1].split(':')[1], 16) !== port) continue;
      found = true;
      total += Number(fields[fields.length - 1]) || 0;
    }
  }
  return found ? total : undefined;
}
