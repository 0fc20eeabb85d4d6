/** Runs datagrams through a real FlowCore and reads the window back as rows keyed by host. */
import { FlowCore, defaultCoreOptions, type CoreOptions } from '../../src/wasm/core.js';
import { formatV4, formatV6 } from '../../src/protocol/address.js';
import { FAMILY_IPV4, FAMILY_IPV6, HOST_FIELDS, DISTINCT_FIELDS, OVERFLOW_HOST, type StatColumn } from '../../src/protocol/messages.js';
import { estimateSource } from '../../src/protocol/sketch.js';

export type Row = Record<StatColumn, number>;

/** newCore makes a core with the defaults, overridden by options. */
export function newCore(options: Partial<CoreOptions> = {}): FlowCore {
  return new FlowCore({ ...defaultCoreOptions(), ...options });
}

/** windowRows closes the core's window and returns its hosts. */
export function windowRows(core: FlowCore): Map<string, Row> {
  const rows = new Map<string, Row>();
  core.closeWindow((family, addr, off, values, distinct) => {
    const host = family === FAMILY_IPV4 ? formatV4(addr, off) : family === FAMILY_IPV6 ? formatV6(addr, off) : OVERFLOW_HOST;
    const row = {} as Row;
    HOST_FIELDS.forEach((f, i) => { row[f] = values[i]; });
    DISTINCT_FIELDS.forEach((f, j) => { row[f] = distinct[j] ? estimateSource(distinct[j]!) : 0; });
    rows.set(host, row);
  });
  return rows;
}

/** counters picks the six counters of a row: flows, packets, bytes out, then in. */
export const counters = (r: Row | undefined): number[] =>
  r ? [r.flows_out, r.packets_out, r.bytes_out, r.flows_in, r.packets_in, r.bytes_in] : [];
