/** Reading a merger's history back in e2e tests, and comparing it with the capture's oracle. */
import { getJson, poll } from './processes.js';
import { softflowdOracle } from './fixtures.js';

/** SOFTFLOWD_TOTAL is what nfdump sums over softflowd-ipfix-ms. */
export const SOFTFLOWD_TOTAL = { flows: 42_048, packets: 130_542, bytes: 29_959_236 };

/** allHosts reads every host of the history over the last hour, once the capture's bytes are all in. */
export async function allHosts(api: string, timeoutMs = 30_000): Promise<Map<string, Record<string, number>>> {
  const rows = await poll(async () => {
    const { body } = await getJson(`${api}/hosts/top?metric=bytes_out&limit=100000&from=${Date.now() - 3600_000}`);
    return body.hosts.reduce((s: number, h: any) => s + h.bytes_out, 0) === SOFTFLOWD_TOTAL.bytes ? body.hosts : undefined;
  }, timeoutMs, 'all bytes of the capture in the history');
  return new Map(rows.map((h: any) => [h.host, h]));
}

/** nfdumpMismatches lists the hosts whose six counters differ from nfdump's sums. */
export function nfdumpMismatches(hosts: Map<string, Record<string, number>>): string[] {
  const oracle = softflowdOracle();
  return [...new Set([...oracle.out.keys(), ...oracle.in.keys()])].filter((a) => {
    const h = hosts.get(a);
    const want = [...(oracle.out.get(a) ?? [0, 0, 0]), ...(oracle.in.get(a) ?? [0, 0, 0])];
    return JSON.stringify(h ? [h.flows_out, h.packets_out, h.bytes_out, h.flows_in, h.packets_in, h.bytes_in] : []) !== JSON.stringify(want);
  });
}
