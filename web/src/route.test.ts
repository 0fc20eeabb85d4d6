import { describe, it, expect } from 'vitest';
import { parseRoute, searchTarget, parseTime, timeRange, stepFor } from './route.js';
import { formatPrefix } from './prefix.js';

describe('routes', () => {
  it('reads every view from its URL, and falls back with a notice', () => {
    expect(parseRoute('/', '').view).toBe('overview');
    const m = parseRoute('/map/10.20.0.0/16', '?metric=flows_out&v=1');
    expect([m.view, formatPrefix(m.prefix), m.params.get('metric')]).toEqual(['map', '10.20.0.0/16', 'flows_out']);
    expect(formatPrefix(parseRoute('/map/2001:db8:12::/48', '').prefix)).toBe('2001:db8:12::/48');
    expect(parseRoute('/host/10.20.3.4', '').host).toBe('10.20.3.4');
    expect(parseRoute('/health', '').view).toBe('health');
    const bad = parseRoute('/map/10.300.0.0/16', '');
    expect([bad.view, formatPrefix(bad.prefix), bad.notices.length]).toEqual(['map', '0.0.0.0/0', 1]);
    expect(parseRoute('/host/nonsense', '').view).toBe('overview');
    const metric = parseRoute('/map/10.0.0.0/8', '?metric=nonsense');
    expect([metric.params.has('metric'), metric.notices]).toEqual([false, ['the heatmap cannot colour by "nonsense": showing bytes out']]);
    expect(parseRoute('/map/999.1.1.1/8', '').prefixGiven).toBe(true); // Shown as the root, with its notice; not replaced.
    expect(parseRoute('/map', '').prefixGiven).toBe(false);
  });

  it('sends the search box to a host or a prefix, and refuses what is neither', () => {
    expect(searchTarget('10.1.2.3')).toBe('/host/10.1.2.3');
    expect(searchTarget('10.1.2.3/16')).toBe('/map/10.1.0.0/16');
    expect(searchTarget('2001:db8::/32')).toBe('/map/2001:db8::/32');
    expect(searchTarget('10.1.2.3/32')).toBe('/host/10.1.2.3');
    expect(searchTarget('hello')).toBeUndefined();
  });

  it('reads relative and ISO times, snaps ranges to windows, and picks a step per granularity', () => {
    const now = Date.UTC(2026, 11, 4, 12, 0, 7);
    expect(parseTime('now-1h', now)).toBe(now - 3_600_000);
    expect(parseTime('2026-12-04T11:00:00Z', now)).toBe(Date.UTC(2026, 11, 4, 11));
    expect(parseTime('yesterday', now)).toBeUndefined();
    const r = timeRange(new URLSearchParams('from=now-5m'), now, 10_000);
    expect([r.from, r.to, r.live]).toEqual([Date.UTC(2026, 11, 4, 11, 55, 0), Date.UTC(2026, 11, 4, 12, 0, 10), true]);
    expect(timeRange(new URLSearchParams('from=soon'), now, 10_000).notices[0]).toMatch(/from="soon" is not a time/);
    expect(stepFor(3_600_000, 'auto', 10_000)).toEqual({ step: 10_000, level: 'window' });
    expect(stepFor(3_610_000, 'auto', 10_000)).toEqual({ step: 10_000, level: 'window' }); // The hour, snapped to windows.
    expect(stepFor(86_400_000, 'auto', 10_000)).toEqual({ step: 180_000, level: 'minute' });
    expect(stepFor(7 * 86_400_000, 'auto', 10_000)).toEqual({ step: 3_600_000, level: 'hour' });
    expect(stepFor(3_600_000, 'minute', 10_000)).toEqual({ step: 60_000, level: 'minute' });
  });
});
