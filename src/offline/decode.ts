/** Offline decoding: every flow record of the captures as the core reads it, with the datagram's outcome. */
import { FlowCore, defaultCoreOptions, type DecodedFlow, type CoreStats, type CoreEvent } from '../wasm/core.js';
import { STATUS_OK } from '../wasm/abi.js';
import { readCaptureFile } from '../pcap/reader.js';
import { elementName } from './element-names.js';

const isV9 = (payload: Uint8Array) => payload.length >= 2 && payload[0] === 0 && payload[1] === 9;

/** DecodeEvent is one line of `hostflow decode`: a flow record, a template event, an options record, or a
 * datagram that was (partly) rejected or had data waiting for its template. */
export type DecodeEvent =
  | ({ type: 'flow'; file: string; datagram: number; exporter: string } & DecodedFlow)
  | ({ file: string; datagram: number; exporter: string } & Exclude<CoreEvent, { type: 'template' }>)
  | ({ file: string; datagram: number; exporter: string } & Omit<Extract<CoreEvent, { type: 'template' }>, 'fields'> & { fields?: { element: string; length: number; scope?: boolean }[] })
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
      for (const e of core.takeEvents()) {
        if (e.type !== 'template') {
          onEvent({ file, datagram: i, exporter: d.source, ...e });
          continue;
        }
        // Element names for the template line; the core keeps only what it needs of each field.
        const { fields, ...rest } = e;
        const named = fields?.map((f) => ({
          element: elementName(f.id, f.pen, f.scope && isV9(d.payload)), length: f.length, ...(f.scope ? { scope: true } : {}),
        }));
        onEvent({ file, datagram: i, exporter: d.source, ...rest, ...(named ? { fields: named } : {}) });
      }
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
