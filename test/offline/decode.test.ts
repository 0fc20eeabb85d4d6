import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { decodeCaptures, type DecodeEvent } from '../../src/offline/decode.js';
import { FIXTURES } from '../helpers/fixtures.js';

function decodeAll(file: string): DecodeEvent[] {
  const events: DecodeEvent[] = [];
  decodeCaptures([file], (e) => events.push(e));
  return events;
}

describe('decodeCaptures', () => {
  it('reports templates, the options record announcing 1-in-10 sampling, and flows with the rate applied', () => {
    const events = decodeAll(join(FIXTURES, 'softflowd/softflowd-ipfix-sampled.pcap.gz'));
    const templates = events.filter((e) => e.type === 'template' && e.event === 'added');
    expect(templates.map((e) => e.type === 'template' && [e.templateId, e.options])).toEqual([[1024, false], [1025, false], [2048, false], [2049, false], [256, true]]);
    const options = events.find((e) => e.type === 'options');
    expect(options).toMatchObject({ type: 'options', templateId: 256, samplingRate: 10 });
    const flows = events.filter((e) => e.type === 'flow');
    expect(flows.length).toBe(11_147);
    expect(flows.every((f) => f.type === 'flow' && f.samplingRate === 10)).toBe(true);
  });

  it('names each template field: IANA names, RFC 5103 reverse names, and PEN:id for other enterprises', () => {
    const biflow = decodeAll(join(FIXTURES, 'softflowd/softflowd-ipfix-biflow.pcap.gz')).find((e) => e.type === 'template' && e.fields);
    const names = biflow?.type === 'template' ? biflow.fields!.map((f) => f.element) : [];
    expect(names.slice(0, 4)).toEqual(['sourceIPv4Address', 'destinationIPv4Address', 'flowStartMilliseconds', 'flowEndMilliseconds']);
    expect(names).toContain('reverseOctetDeltaCount');
    const nprobe = decodeAll(join(FIXTURES, 'public/_wrapped/telegraf/ipfix_pen_35632.pcap')).filter((e) => e.type === 'template');
    const fields = nprobe.flatMap((e) => (e.type === 'template' ? e.fields ?? [] : []));
    expect(fields.some((f) => /^35632:\d+$/.test(f.element))).toBe(true);
    expect(fields.some((f) => f.length === 65535)).toBe(true); // Variable length.
  });

  it('reports a rejected datagram with its reason and offset, and keeps the records before it', () => {
    const events = decodeAll(join(FIXTURES, 'public/_wrapped/logstash-codec-netflow/Netflow_5_invalid_01.pcap'));
    expect(events).toEqual([expect.objectContaining({ type: 'rejected', reason: 'NETFLOW5_ERR_BAD_COUNT', offset: 2 })]);
  });

  it('marks records decoded from a data set that came before its template', () => {
    const events = decodeAll(join(FIXTURES, 'public/_wrapped/logstash-codec-netflow/IPFIX_Netscaler_with_variable_length_fields_2.pcap'));
    const later = events.filter((e) => e.type === 'flow' && e.decodedLater);
    expect(later.length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'pending')).toBe(true);
  });
});
