/** Offline aggregation: every datagram of the captures through one FlowCore, as a single window. */
import { FlowCore, type CoreOptions, defaultCoreOptions, type CoreStats } from '../wasm/core.js';
import { readCaptureFile } from '../pcap/reader.js';
import { formatV4, formatV6 } from '../protocol/address.js';
import { FAMILY_IPV4, FAMILY_IPV6, STAT_COLUMNS, COLUMN_AT, OVERFLOW_HOST, type StatColumn } from '../protocol/messages.js';
import { estimateSource, type SketchSource } from '../protocol/sketch.js';

/** HostRow is one host's figures over the whole input (distinct counts: exact up to 256, estimates beyond). */
export type HostRow = { host: string } & Record<StatColumn, number>;

/** AggregateResult holds the rows (bytes out descending) and what the core counted. */
export interface AggregateResult {
  hosts: HostRow[];
  stats: CoreStats;
  capturePackets: number;
  skipped: Record<string, number>;
}

/** aggregateCaptures reads each file's export datagrams, in order, into one window. */
export function aggregateCaptures(files: string[], options: CoreOptions = defaultCoreOptions()): AggregateResult {
  const core = new FlowCore(options);
  let capturePackets = 0;
  const skipped: Record<string, number> = {};
  for (const file of files) {
    const capture = readCaptureFile(file);
    capturePackets += capture.packets;
    for (const [reason, n] of Object.entries(capture.skipped)) skipped[reason] = (skipped[reason] ?? 0) + n;
    for (const d of capture.datagrams) core.ingest(d.payload, d.source, d.timeMs);
  }
  const hosts: HostRow[] = [];
  core.closeWindow((family, addr, off, values, distinct) => { hosts.push(hostRow(family, addr, off, values, distinct)); });
  hosts.sort((a, b) => b.bytes_out - a.bytes_out || b.bytes_in - a.bytes_in || (a.host < b.host ? -1 : 1));
  return { hosts, stats: core.stats(), capturePackets, skipped };
}

/** hostRow reads one host of a closed window (a FlowCore HostVisitor's arguments) as a row, in column
 * order, so that JSON lists the statistics as CSV does. */
export function hostRow(family: number, addr: Uint8Array, off: number, values: ArrayLike<number>, distinct: readonly (SketchSource | undefined)[]): HostRow {
  const host = family === FAMILY_IPV4 ? formatV4(addr, off) : family === FAMILY_IPV6 ? formatV6(addr, off) : OVERFLOW_HOST;
  const row = { host } as HostRow;
  for (const name of STAT_COLUMNS) {
    const at = COLUMN_AT[name];
    const d = at < 0 ? distinct[-1 - at] : undefined;
    row[name] = at >= 0 ? values[at] : d ? estimateSource(d) : 0;
  }
  return row;
}

/** formatCsv writes rows with a header line of the statistics' names (STAT_COLUMNS). */
export function formatCsv(rows: HostRow[]): string {
  const lines = [['host', ...STAT_COLUMNS].join(',')];
  for (const r of rows) lines.push([r.host, ...STAT_COLUMNS.map((f) => r[f])].join(','));
  return lines.join('\n') + '\n';
}
