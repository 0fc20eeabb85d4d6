import { describe, it, expect } from 'vitest';
import { parseAddress, formatKey, parseCidr } from '../../src/protocol/address.js';

describe('address text forms', () => {
  it('format IPv6 in RFC 5952 form and IPv4-mapped keys as dotted quads', () => {
    const cases: [string, string][] = [
      ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // The first of two equal zero runs.
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // A single zero group is not shortened.
      ['::', '::'],
      ['::1', '::1'],
      ['fe80::', 'fe80::'],
      ['10.1.2.3', '10.1.2.3'],
      ['::ffff:192.0.2.1', '192.0.2.1'],
    ];
    for (const [input, want] of cases) expect(formatKey(parseAddress(input)!), input).toBe(want);
  });

  it('refuse what is not an address', () => {
    for (const bad of ['', '1.2.3', '256.1.1.1', '1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', 'host.example']) {
      expect(parseAddress(bad), bad).toBeUndefined();
    }
  });
});

describe('parseCidr', () => {
  it('clears the host bits and counts IPv4 prefixes inside ::ffff:0:0/96', () => {
    expect(parseCidr('10.1.2.3/16')).toMatchObject({ prefix: 112, text: '10.1.0.0/16' });
    expect(parseCidr('2001:db8::1/32')).toMatchObject({ prefix: 32, text: '2001:db8::/32' });
    expect(parseCidr('192.0.2.7')).toMatchObject({ prefix: 128, text: '192.0.2.7/32' });
  });

  it('refuses what is not a network', () => {
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/8/1', 'x/8', '10.0.0.0/-1', '']) expect(parseCidr(bad), bad).toBeUndefined();
  });
});
