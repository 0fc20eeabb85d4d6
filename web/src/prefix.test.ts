import { describe, it, expect } from 'vitest';
import { parsePrefix, parseAddress, formatAddress, formatPrefix, cellPrefix, zoomInto, ancestors, gridColumns, cellIndex, contains, coveringPrefix, narrower } from './prefix.js';

const p = (t: string) => parsePrefix(t)!;

describe('prefix arithmetic', () => {
  it('reads IPv4 and IPv6 prefixes, clears host bits, refuses what is not one', () => {
    expect(formatPrefix(p('10.20.30.40/16'))).toBe('10.20.0.0/16');
    expect(formatPrefix(p('10.20.30.40'))).toBe('10.20.30.40/32');
    expect(formatPrefix(p('2001:DB8:12:3::1/48'))).toBe('2001:db8:12::/48');
    expect(formatPrefix(p('::/0'))).toBe('::/0');
    for (const bad of ['10.0.0.256/8', '10.0.0/8', '10.0.0.0/33', '2001:db8::/129', '1::2::3', '01.2.3.4', 'host', '10.0.0.0/8/1', ':::']) expect(parsePrefix(bad), bad).toBeUndefined();
  });

  it('writes IPv6 in RFC 5952 form: lower case, the longest zero run as ::, the first of equal runs, no :: for one group', () => {
    const f = (t: string) => formatAddress(parseAddress(t)!.addr, false);
    expect(f('2001:0db8:0000:0000:0001:0000:0000:0001')).toBe('2001:db8::1:0:0:1');
    expect(f('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(f('2001:db8:0:0:1:0:0:0')).toBe('2001:db8:0:0:1::');
    expect(f('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(f('::ffff:10.1.2.3')).toBe('::ffff:a01:203');
    expect(parseAddress('::ffff:10.1.2.3')!.v4).toBe(true);
  });

  it('lays out cells 16 bits deeper and zooms 8 bits a step: IPv4 /0 -> /8 -> /16 -> host, IPv6 by nibbles', () => {
    const slash16 = p('10.20.0.0/16');
    expect(gridColumns(slash16)).toBe(256);
    expect(formatPrefix(cellPrefix(slash16, 3 * 256 + 4))).toBe('10.20.3.4/32'); // Third octet the row, fourth the column.
    expect(formatPrefix(zoomInto(slash16, 3 * 256 + 4))).toBe('10.20.3.4/32');
    expect(formatPrefix(zoomInto(p('0.0.0.0/0'), 10 * 256 + 20))).toBe('10.0.0.0/8');
    expect(formatPrefix(zoomInto(p('10.0.0.0/8'), 20 * 256 + 3))).toBe('10.20.0.0/16');
    const slash24 = p('10.20.3.0/24');
    expect(gridColumns(slash24)).toBe(16); // 256 hosts as 16 x 16.
    expect(formatPrefix(zoomInto(slash24, 255))).toBe('10.20.3.255/32');
    const v6 = p('2001:db8::/32');
    expect(formatPrefix(cellPrefix(v6, 0x12))).toBe('2001:db8:12::/48');
    expect(formatPrefix(zoomInto(v6, 0x1234))).toBe('2001:db8:1200::/40');
    expect(formatPrefix(zoomInto(p('2001:db8::/120'), 7))).toBe('2001:db8::7/128');
    expect(formatPrefix(narrower(slash16, 3 * 256 + 4)!)).toBe('10.20.3.0/24'); // The wheel: a /16 of hosts to the /24 under the pointer.
    expect(formatPrefix(narrower(p('10.0.0.0/8'), 20 * 256 + 3)!)).toBe('10.20.0.0/16');
    expect(narrower(slash24, 4)).toBeUndefined();
  });

  it('gives breadcrumbs from the root, and finds the cell of an address', () => {
    expect(ancestors(p('10.20.0.0/16')).map(formatPrefix)).toEqual(['0.0.0.0/0', '10.0.0.0/8']);
    expect(ancestors(p('2001:db8::/24')).map(formatPrefix)).toEqual(['::/0', '2000::/8', '2001::/16']);
    const a = parseAddress('10.20.3.4')!.addr;
    expect(cellIndex(p('10.20.0.0/16'), a)).toBe(3 * 256 + 4);
    expect(cellIndex(p('10.0.0.0/8'), a)).toBe(20 * 256 + 3);
    expect(contains(p('10.20.0.0/16'), a)).toBe(true);
    expect(contains(p('10.21.0.0/16'), a)).toBe(false);
    expect(formatPrefix(coveringPrefix(['10.0.0.53', '10.6.145.2', '10.4.36.104'])!)).toBe('10.0.0.0/8');
    expect(formatPrefix(coveringPrefix(['10.20.3.4', '10.20.200.1'])!)).toBe('10.20.0.0/16');
    expect(formatPrefix(coveringPrefix(['10.20.3.4'])!)).toBe('10.20.0.0/16'); // At most a /16: its grid shows hosts.
    expect(formatPrefix(coveringPrefix(['2001:db8::1', '2001:db8:ff00::1'])!)).toBe('2001:db8::/32');
    expect(coveringPrefix(['10.0.0.1', '2001:db8::1'])).toBeUndefined();
  });
});
