/** Runs datagrams through a real FlowCore and reads the window back as rows keyed by host. */
import { FlowCore, defaultCoreOptions, type CoreOptions } from '../../src/wasm/core.js';
import { hostRow, type HostRow } from '../../src/offline/aggregate.js';

export type Row = HostRow;

/** newCore makes a core with the defaults, overridden by options. */
export function newCore(options: Partial<CoreOptions> = {}): FlowCore {
  return new FlowCore({ ...defaultCoreOptions(), ...options });
}

/** windowRows closes the core's window and returns its hosts, read as `hostflow aggregate` reads them. */
export function windowRows(core: FlowCore): Map<string, Row> {
  const rows = new Map<string, Row>();
  core.closeWindow((family, addr, off, values, distinct) => {
    const row = hostRow(family, addr, off, values, distinct);
    rows.set(row.host, row);
  });
  return rows;
}

/** counters picks the six counters of a row: flows, packets, bytes out, then in. */
export const counters = (r: Row | undefined): number[] =>
  r ? [r.flows_out, r.packets_out, r.bytes_out, r.flows_in, r.packets_in, r.bytes_in] : [];
