/** Offline decoding: every flow record of the captures as the core reads it, with the datagram's outcome. */
import { FlowCore, defaultCoreOptions, type DecodedFlow, type CoreStats, type CoreEvent } from '../wasm/core.js';
import { STATUS_OK } from '../wasm/abi.js';
import { readCaptureFile } from '../pcap/reader.js';

/** DecodeEvent is one line of `hostflow decode`: a flow record, a template event, an options record, or a
 * datagram that was (partly) rejected or had data waiting for its template. */
export type DecodeEvent =
  | ({ type: 'flow'; file: string; datagram: number; exporter: string } & DecodedFlow)
  | ({ file: string; datagram: number; exporter: string } & CoreEvent)
  | { type: 'rejected'; file: string; datagram: number; exporter: string; reason: string; offset: number; observationDomainId: number; templateId: number }
  | { type: 'pending'; file: string; datagram: number; exporter: string; observationDomainId: number; templateId: number };

/** decodeCaptures calls onEvent for every flow and every datagram with an error, in order; returns the stats. */
export function decodeCaptures(files: string[], onEvent: (e: DecodeEvent) => void): CoreStats {
  const core = new FlowCore({ ...defaultCoreOptions(), templateLifetimeMs: 0 }); // Captures may span days.
  core.decodeMode(true);
  for (const file of files) {
    const capture = readCaptureFile(file);
    capture.datagrams.forEach((d, i) => {
      const status = core.ingest(d.payload, d.source, d.timeMs);
      for (const e of core.takeEvents()) onEvent({ file, datagram: i, exporter: d.source, ...e });
      for (const f of core.takeRecords().flows) onEvent({ type: 'flow', file, datagram: i, exporter: d.source, ...f });
      if (status !== STATUS_OK) {
        const e = core.decodeError(status)!;
        if (e.code.endsWith('TEMPLATE_PENDING')) {
          onEvent({ type: 'pending', file, datagram: i, exporter: d.source, observationDomainId: e.obsDomainId, templateId: e.templateId });
        } else {
          onEvent({ type: 'rejected', file, datagram: i, exporter: d.source, reason: e.code, offset: e.offset, observationDomainId: e.obsDomainId, templateId: e.templateId });
        }
      }
      core.closeWindow(() => {}); // Decoding only: keep the host table empty.
    });
  }
  return core.stats();
}
