// Unit tests for parseWindowMessage, the validation of the merger's window messages.
import { describe, expect, it } from 'vitest';
import { METRICS, isMetric, parseWindowMessage } from './api.js';

const row = { host: '10.0.0.53', flows_out: 1, packets_out: 2, bytes_out: 3, flows_in: 4, packets_in: 5, bytes_in: 6, peers_out: 7, peers_in: 8, dst_ports_out: 9, local_ports_in: 10 };
const good = {
  type: 'window',
  start: 1_700_000_000_000,
  length: 10_000,
  probes: 1,
  probe_states: [{ probe: 'edge-1', connected: true, lag_ms: 1200, in_window: true }, { probe: 42 }],
  totals: { flows: 123, packets: 456, bytes: 789, hosts: 42 },
  top: Object.fromEntries(METRICS.map((m) => [m, [row]])),
};

describe('parseWindowMessage', () => {
  it('accepts the contract example', () => {
    const parsed = parseWindowMessage(good);
    const { probe_states: _, ...rest } = good;
    expect(parsed).toEqual({ ...rest, probeStates: [{ probe: 'edge-1', connected: true, lag_ms: 1200, in_window: true }] }); // A state without a name is dropped.
  });

  it('rejects other message types and unusable windows', () => {
    expect(parseWindowMessage(null)).toBeNull();
    expect(parseWindowMessage([])).toBeNull();
    expect(parseWindowMessage({ ...good, type: 'hello' })).toBeNull();
    expect(parseWindowMessage({ ...good, length: 0 })).toBeNull();
    expect(parseWindowMessage({ ...good, start: '1700000000000' })).toBeNull();
    expect(parseWindowMessage({ ...good, totals: undefined })).toBeNull();
  });

  it('tolerates missing top lists and drops rows without a host', () => {
    const parsed = parseWindowMessage({ ...good, top: { bytes_out: [row, { bytes_out: 9 }, 'x'] } });
    expect(parsed?.top.bytes_out).toEqual([row]);
    expect(parsed?.top.flows_in).toEqual([]);
  });

  it('keeps a missing counter as NaN (missing), not 0', () => {
    const parsed = parseWindowMessage({ ...good, top: { bytes_out: [{ host: '::1', bytes_out: 5 }] } });
    expect(parsed?.top.bytes_out[0]?.bytes_out).toBe(5);
    expect(parsed?.top.bytes_out[0]?.flows_in).toBeNaN();
  });
});

describe('isMetric', () => {
  it('recognises the ten metrics only', () => {
    expect(METRICS.every(isMetric)).toBe(true);
    expect(isMetric('bytes')).toBe(false);
    expect(isMetric(undefined)).toBe(false);
  });
});
