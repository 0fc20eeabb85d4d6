import { describe, it, expect } from 'vitest';
import { newCore, windowRows, counters } from '../helpers/core.js';
import {
  message, templateSet, templateRecord, set, basicV4Record, BASIC_V4, IE, ipv4, ipv6, uint, type Field,
} from '../helpers/ipfix.js';
import {
  STATUS_OK, STATUS_TEMPLATE_PENDING, ERR_TRUNCATED, ERR_BAD_VERSION, ERR_BAD_SET_LENGTH, ERR_BAD_RECORD, ERR_TOO_LARGE,
} from '../../src/wasm/abi.js';

const EXPORTER = '192.0.2.1';
const NOW = 1_800_000_000_000;

describe('FlowCore.ingest', () => {
  it('decodes a template and its data in one message, counting each host out and in', () => {
    const core = newCore();
    const msg = message(1, templateSet(templateRecord(256, BASIC_V4)), set(256, [
      ...basicV4Record('10.0.0.1', '10.0.0.2', 3, 300),
      ...basicV4Record('10.0.0.1', '10.0.0.3', 2, 120, 1_700_000_005_000, 1_700_000_009_000),
    ]));
    expect(core.ingest(msg, EXPORTER, NOW)).toBe(STATUS_OK);
    const rows = windowRows(core);
    expect(counters(rows.get('10.0.0.1'))).toEqual([2, 5, 420, 0, 0, 0]);
    expect(counters(rows.get('10.0.0.2'))).toEqual([0, 0, 0, 1, 3, 300]);
    expect(counters(rows.get('10.0.0.3'))).toEqual([0, 0, 0, 1, 2, 120]);
    expect(rows.get('10.0.0.1')!.first_seen).toBe(1_700_000_000_000);
    expect(rows.get('10.0.0.1')!.last_seen).toBe(1_700_000_009_000);
    expect(core.stats()).toMatchObject({ datagrams: 1, records: 2, templatesAdded: 1, datagramsRejected: 0 });
  });

  it('reads counters of every width 1..8 (reduced-size encoding)', () => {
    for (const width of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const core = newCore();
      const fields: Field[] = [[IE.sourceIPv4Address, 4], [IE.destinationIPv4Address, 4], [IE.packetDeltaCount, width], [IE.octetDeltaCount, width]];
      const packets = width === 1 ? 200 : 2 ** (8 * width - 1) + 7;
      const bytes = width === 1 ? 255 : Math.min(2 ** (8 * width) - 1, Number.MAX_SAFE_INTEGER);
      const msg = message(0, templateSet(templateRecord(300, fields)), set(300, [...ipv4('10.1.1.1'), ...ipv4('10.1.1.2'), ...uint(packets, width), ...uint(bytes, width)]));
      expect(core.ingest(msg, EXPORTER, NOW)).toBe(STATUS_OK);
      expect(counters(windowRows(core).get('10.1.1.1')), `width ${width}`).toEqual([1, packets, bytes, 0, 0, 0]);
    }
  });

  it('decodes IPv6 addresses in RFC 5952 form', () => {
    const core = newCore();
    const fields: Field[] = [[IE.sourceIPv6Address, 16], [IE.destinationIPv6Address, 16], [IE.packetDeltaCount, 4], [IE.octetDeltaCount, 4]];
    const msg = message(0, templateSet(templateRecord(256, fields)), set(256, [...ipv6('2001:db8::1'), ...ipv6('2001:db8:0:0:1::2'), ...uint(4, 4), ...uint(400, 4)]));
    expect(core.ingest(msg, EXPORTER, NOW)).toBe(STATUS_OK);
    const rows = windowRows(core);
    expect(counters(rows.get('2001:db8::1'))).toEqual([1, 4, 400, 0, 0, 0]);
    expect(counters(rows.get('2001:db8::1:0:0:2'))).toEqual([0, 0, 0, 1, 4, 400]);
  });

  it('walks variable-length fields (1-byte and 255 + 2-byte lengths) and enterprise fields by their lengths', () => {
    const core = newCore();
    const fields: Field[] = [[IE.applicationName, 0xffff], [IE.sourceIPv4Address, 4], [100, 6, 35632], [IE.applicationName, 0xffff], [IE.destinationIPv4Address, 4], [IE.octetDeltaCount, 4]];
    const long = new Array(300).fill(0x61);
    const record = [3, 0x61, 0x62, 0x63, ...ipv4('10.2.0.1'), 1, 2, 3, 4, 5, 6, 255, ...uint(300, 2), ...long, ...ipv4('10.2.0.2'), ...uint(999, 4)];
    const msg = message(0, templateSet(templateRecord(256, fields)), set(256, record));
    expect(core.ingest(msg, EXPORTER, NOW)).toBe(STATUS_OK);
    const rows = windowRows(core);
    expect(counters(rows.get('10.2.0.1'))).toEqual([1, 0, 999, 0, 0, 0]);
    expect(counters(rows.get('10.2.0.2'))).toEqual([0, 0, 0, 1, 0, 999]);
  });

  it('treats a set tail shorter than a record as padding', () => {
    const core = newCore();
    const msg = message(0, templateSet(templateRecord(256, BASIC_V4), [0, 0, 0, 0]), set(256, [...basicV4Record('10.0.0.1', '10.0.0.2', 1, 60), 0, 0, 0]));
    expect(core.ingest(msg, EXPORTER, NOW)).toBe(STATUS_OK);
    expect(core.stats().records).toBe(1);
  });

  it('holds a data set whose template comes later in the datagram, decodes it then, and goes on (quirk 1)', () => {
    const core = newCore();
    const data = set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 60));
    const msg = message(0, data, templateSet(templateRecord(256, BASIC_V4)), data);
    expect(core.ingest(msg, EXPORTER, NOW)).toBe(STATUS_TEMPLATE_PENDING);
    expect(core.stats()).toMatchObject({ setsNoTemplate: 1, setsHeld: 1, setsHeldDecoded: 1, records: 2, datagramsRejected: 0 });
    expect(core.decodeError(STATUS_TEMPLATE_PENDING)).toMatchObject({ code: 'IPFIX_TEMPLATE_PENDING', templateId: 256 });
  });

  it('scopes templates by exporter address and observation domain', () => {
    const core = newCore();
    core.ingest(message(7, templateSet(templateRecord(256, BASIC_V4))), EXPORTER, NOW);
    const data = set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 60));
    expect(core.ingest(message(8, data), EXPORTER, NOW)).toBe(STATUS_TEMPLATE_PENDING);
    expect(core.ingest(message(7, data), '192.0.2.99', NOW)).toBe(STATUS_TEMPLATE_PENDING);
    expect(core.ingest(message(7, data), EXPORTER, NOW)).toBe(STATUS_OK);
    expect(core.stats()).toMatchObject({ records: 1, setsNoTemplate: 2 });
  });

  it('lets a redefined template win over the old one', () => {
    const core = newCore();
    core.ingest(message(0, templateSet(templateRecord(256, BASIC_V4))), EXPORTER, NOW);
    const swapped: Field[] = [[IE.destinationIPv4Address, 4], [IE.sourceIPv4Address, 4], [IE.octetDeltaCount, 2]];
    core.ingest(message(0, templateSet(templateRecord(256, swapped))), EXPORTER, NOW);
    core.ingest(message(0, set(256, [...ipv4('10.0.0.1'), ...ipv4('10.0.0.2'), ...uint(77, 2)])), EXPORTER, NOW);
    expect(counters(windowRows(core).get('10.0.0.2'))).toEqual([1, 0, 77, 0, 0, 0]);
    expect(core.stats()).toMatchObject({ templatesAdded: 1, templatesUpdated: 1 });
  });

  it('gives zero-length fields no bytes (quirk 4)', () => {
    const core = newCore();
    const fields: Field[] = [[150, 0], [IE.sourceIPv4Address, 4], [151, 0], [IE.destinationIPv4Address, 4], [IE.octetDeltaCount, 4]];
    const msg = message(0, templateSet(templateRecord(256, fields)), set(256, [...ipv4('10.0.0.1'), ...ipv4('10.0.0.2'), ...uint(5, 4)]));
    expect(core.ingest(msg, EXPORTER, NOW)).toBe(STATUS_OK);
    expect(counters(windowRows(core).get('10.0.0.1'))).toEqual([1, 0, 5, 0, 0, 0]);
  });

  it('ignores bytes after the message length (quirk 4)', () => {
    const core = newCore();
    const msg = message(0, templateSet(templateRecord(256, BASIC_V4)), set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 60)));
    expect(core.ingest(Uint8Array.from([...msg, 0xde, 0xad]), EXPORTER, NOW)).toBe(STATUS_OK);
    expect(core.stats().records).toBe(1);
  });

  it('counts records without addresses and options records apart from flows', () => {
    const core = newCore();
    const options = set(3, [...uint(257, 2), ...uint(2, 2), ...uint(1, 2), ...uint(149, 2), ...uint(4, 2), ...uint(160, 2), ...uint(8, 2)]);
    const noAddress = templateRecord(258, [[IE.octetDeltaCount, 4]]);
    const msg = message(0, options, templateSet(noAddress), set(257, [...uint(1, 4), ...uint(1_700_000_000_000, 8)]), set(258, uint(10, 4)));
    expect(core.ingest(msg, EXPORTER, NOW)).toBe(STATUS_OK);
    expect(core.stats()).toMatchObject({ optionsRecords: 1, recordsNoAddress: 1, records: 0 });
    expect(windowRows(core).size).toBe(0);
  });

  it('sums hosts beyond the table budget into one overflow entry, and counts them', () => {
    const core = newCore({ maxHosts: 4 });
    const records = [1, 2, 3, 4, 5, 6].flatMap((i) => basicV4Record(`10.0.0.${i}`, '10.9.9.9', 1, 100));
    core.ingest(message(0, templateSet(templateRecord(256, BASIC_V4)), set(256, records)), EXPORTER, NOW);
    const rows = windowRows(core);
    expect(rows.size).toBe(5);
    expect(counters(rows.get('10.9.9.9'))).toEqual([0, 0, 0, 6, 6, 600]);
    expect(counters(rows.get('overflow'))).toEqual([3, 3, 300, 0, 0, 0]);
    expect(core.stats().overflowRecords).toBe(3);
    // The next window starts empty.
    core.ingest(message(0, set(256, basicV4Record('10.0.0.6', '10.0.0.7', 1, 1))), EXPORTER, NOW);
    expect([...windowRows(core).keys()].sort()).toEqual(['10.0.0.6', '10.0.0.7']);
  });
});

describe('FlowCore.ingest on malformed input', () => {
  const valid = message(0, templateSet(templateRecord(256, BASIC_V4)), set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 60)));

  it('rejects a header shorter than 16 bytes, or shorter than its length field, as truncated', () => {
    const core = newCore();
    expect(core.ingest(valid.subarray(0, 10), EXPORTER, NOW)).toBe(ERR_TRUNCATED);
    expect(core.ingest(valid.subarray(0, valid.length - 1), EXPORTER, NOW)).toBe(ERR_TRUNCATED);
    expect(core.decodeError(ERR_TRUNCATED)).toMatchObject({ code: 'IPFIX_ERR_TRUNCATED', offset: 2 }); // The length field.
    expect(core.ingest(new Uint8Array(0), EXPORTER, NOW)).toBe(ERR_TRUNCATED);
    expect(core.stats()).toMatchObject({ datagrams: 3, datagramsRejected: 3, errTruncated: 3, records: 0 });
  });

  it('counts a message cut short as truncated, and still decodes the sets that arrived whole', () => {
    const core = newCore();
    const two = message(0, templateSet(templateRecord(256, BASIC_V4)), set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 60)),
      set(256, basicV4Record('10.0.0.3', '10.0.0.4', 1, 60)));
    expect(core.ingest(two.subarray(0, two.length - 5), EXPORTER, NOW)).toBe(ERR_TRUNCATED);
    expect(core.stats()).toMatchObject({ records: 1, errTruncated: 1, datagramsRejected: 1 });
    expect([...windowRows(core).keys()].sort()).toEqual(['10.0.0.1', '10.0.0.2']);
  });

  it('rejects a set that runs past the message, keeping the sets before it', () => {
    const core = newCore();
    const bad = message(0, templateSet(templateRecord(256, BASIC_V4)), set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 60)), [1, 0, 0xff, 0xff, 0]);
    expect(core.ingest(bad, EXPORTER, NOW)).toBe(ERR_BAD_SET_LENGTH);
    expect(core.stats()).toMatchObject({ records: 1, errBadSetLength: 1 });
  });

  it('rejects a variable-length field longer than its record', () => {
    const core = newCore();
    const fields: Field[] = [[IE.sourceIPv4Address, 4], [IE.applicationName, 0xffff]];
    const bad = message(0, templateSet(templateRecord(256, fields)), set(256, [...ipv4('10.0.0.1'), 200, 1, 2]));
    expect(core.ingest(bad, EXPORTER, NOW)).toBe(ERR_BAD_RECORD);
    expect(core.stats().errBadRecord).toBe(1);
  });

  it('rejects other versions and datagrams over 64 KiB', () => {
    const core = newCore();
    expect(core.ingest(Uint8Array.from([0, 11, 0, 16, ...new Array(12).fill(0)]), EXPORTER, NOW)).toBe(ERR_BAD_VERSION);
    expect(core.ingest(new Uint8Array(70_000), EXPORTER, NOW)).toBe(ERR_TOO_LARGE);
    expect(core.stats()).toMatchObject({ errBadVersion: 1, errTooLarge: 1, datagramsRejected: 2 });
  });

  it('survives every truncation and 20,000 random mutations, and still decodes valid input after', () => {
    const core = newCore();
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let n = 0; n <= valid.length; n++) core.ingest(valid.subarray(0, n), EXPORTER, NOW);
    for (let i = 0; i < 20_000; i++) {
      const m = Uint8Array.from(valid);
      const flips = 1 + Math.floor(random() * 4);
      for (let k = 0; k < flips; k++) m[Math.floor(random() * m.length)] = Math.floor(random() * 256);
      if (random() < 0.3) m[0] = 0, m[1] = 10; // Keep it IPFIX so that the set walk is exercised.
      core.ingest(m, `198.51.100.${i % 50}`, NOW);
    }
    for (let i = 0; i < 2_000; i++) {
      const garbage = Uint8Array.from({ length: Math.floor(random() * 1500) }, () => Math.floor(random() * 256));
      garbage[0] = 0; garbage[1] = 10;
      core.ingest(garbage, '203.0.113.1', NOW);
    }
    expect(core.stats().datagramsRejected).toBeGreaterThan(1000);
    windowRows(core);
    const fresh = message(0, templateSet(templateRecord(256, BASIC_V4)), set(256, basicV4Record('10.7.7.7', '10.8.8.8', 2, 99)));
    expect(core.ingest(fresh, EXPORTER, NOW)).toBe(STATUS_OK);
    expect(counters(windowRows(core).get('10.7.7.7'))).toEqual([1, 2, 99, 0, 0, 0]);
  });
});

describe('template cache caps', () => {
  it('evicts an exporter\'s least recently seen template when it reaches its share, and keeps other exporters\' templates', () => {
    const core = newCore({ maxTemplates: 8, templatesPerExporter: 3 });
    const tpl = (id: number) => message(0, templateSet(templateRecord(id, BASIC_V4)));
    core.ingest(tpl(300), '192.0.2.50', NOW); // A quiet, well-behaved exporter.
    for (let id = 256; id < 266; id++) core.ingest(tpl(id), '203.0.113.66', NOW + id); // A noisy one, 10 templates.
    expect(core.stats().templatesFull).toBe(7);
    // The quiet exporter still decodes; the noisy one kept its three newest.
    expect(core.ingest(message(0, set(300, basicV4Record('10.0.0.1', '10.0.0.2', 1, 1))), '192.0.2.50', NOW + 1000)).toBe(STATUS_OK);
    expect(core.ingest(message(0, set(265, basicV4Record('10.0.0.1', '10.0.0.2', 1, 1))), '203.0.113.66', NOW + 1000)).toBe(STATUS_OK);
    expect(core.ingest(message(0, set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 1))), '203.0.113.66', NOW + 1000)).toBe(STATUS_TEMPLATE_PENDING);
  });

  it('evicts the globally least recently seen template when the cache is full', () => {
    const core = newCore({ maxTemplates: 4, templatesPerExporter: 4 });
    const tpl = (id: number) => message(0, templateSet(templateRecord(id, BASIC_V4)));
    for (let e = 1; e <= 5; e++) core.ingest(tpl(256), `192.0.2.${e}`, NOW + e);
    expect(core.stats().templatesFull).toBe(1);
    expect(core.ingest(message(0, set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 1))), '192.0.2.1', NOW + 10)).toBe(STATUS_TEMPLATE_PENDING);
    expect(core.ingest(message(0, set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 1))), '192.0.2.5', NOW + 10)).toBe(STATUS_OK);
  });

  it('expires a template not refreshed within its lifetime, and withdraws one on request (RFC 7011 8.1)', () => {
    const core = newCore({ templateLifetimeMs: 60_000 });
    const data = message(0, set(256, basicV4Record('10.0.0.1', '10.0.0.2', 1, 1)));
    core.ingest(message(0, templateSet(templateRecord(256, BASIC_V4))), EXPORTER, NOW);
    expect(core.ingest(data, EXPORTER, NOW + 59_000)).toBe(STATUS_OK);
    expect(core.ingest(data, EXPORTER, NOW + 61_000)).toBe(STATUS_TEMPLATE_PENDING);
    expect(core.stats().templatesExpired).toBe(1);
    core.ingest(message(0, templateSet(templateRecord(256, BASIC_V4))), EXPORTER, NOW + 62_000);
    core.ingest(message(0, templateSet([1, 0, 0, 0])), EXPORTER, NOW + 62_000); // Withdraw template 256.
    expect(core.ingest(data, EXPORTER, NOW + 62_000)).toBe(STATUS_TEMPLATE_PENDING);
    expect(core.stats().templatesWithdrawn).toBe(1);
  });
});
