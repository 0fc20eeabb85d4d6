// Pure number, rate and time formatting for the web UI (SI prefixes, 3 significant digits).

/** Shown for a missing or non-finite value, so that missing never looks like zero. */
export const MISSING = '—';

const PREFIXES = ['', 'k', 'M', 'G', 'T', 'P', 'E'] as const;

/** Units that take the SI prefix directly ("Mbit/s", "kB"); other units get "k flows/s". */
const SYMBOL_UNIT = /^(?:bit|B)(?:\/|$)/;

/** A number split for display: `value` is the digits, `unit` the SI prefix joined with the unit. */
export interface Quantity {
  value: string;
  unit: string;
}

/**
 * Splits `x` into 3 significant digits and an SI prefix (k, M, G, T, P, E, powers of 1000).
 * Integers below 1000 are shown exactly ("42", not "42.0"); values that round up to 1000 move to the next
 * prefix ("999.96" gives "1.00" and "k"); non-zero magnitudes below 0.001 are shown as "<0.001".
 */
export function siParts(x: number): { value: string; prefix: string } {
  if (!Number.isFinite(x)) return { value: MISSING, prefix: '' };
  if (x === 0) return { value: '0', prefix: '' };
  const negative = x < 0;
  const sign = negative ? '-' : '';
  const abs = Math.abs(x);
  if (abs < 1000 && Number.isInteger(abs)) return { value: sign + String(abs), prefix: '' };
  if (abs < 0.001) return { value: negative ? '>-0.001' : '<0.001', prefix: '' };
  const last = PREFIXES.length - 1;
  let i = 0;
  let scaled = abs;
  while (scaled >= 1000 && i < last) {
    scaled /= 1000;
    i += 1;
  }
  let rounded = Number(scaled.toPrecision(3));
  if (rounded >= 1000 && i < last) {
    scaled /= 1000;
    i += 1;
    rounded = Number(scaled.toPrecision(3));
  }
  const digits = rounded >= 1000 ? rounded.toFixed(0) : rounded.toPrecision(3);
  return { value: sign + digits, prefix: PREFIXES[i] ?? '' };
}

/**
 * `x` with 3 significant digits and its unit, split for display: quantity(1.234e9, 'bit/s') is
 * { value: '1.23', unit: 'Gbit/s' }, quantity(12345, 'flows/s') is { value: '12.3', unit: 'k flows/s' },
 * quantity(12345, '') is { value: '12.3', unit: 'k' }.
 */
export function quantity(x: number, unit = ''): Quantity {
  const { value, prefix } = siParts(x);
  if (value === MISSING) return { value, unit };
  if (unit === '') return { value, unit: prefix };
  if (SYMBOL_UNIT.test(unit)) return { value, unit: prefix + unit };
  return { value, unit: prefix ? `${prefix} ${unit}` : unit };
}

/** `x` with 3 significant digits, SI prefix and unit in one string: "1.23 Gbit/s", "12.3 k", "42". */
export function formatSI(x: number, unit = ''): string {
  const q = quantity(x, unit);
  if (q.value === MISSING) return MISSING;
  return q.unit ? `${q.value} ${q.unit}` : q.value;
}

/** Per-second rate of `total` counted over `lengthMs` milliseconds; NaN when the length is not positive. */
export function perSecond(total: number, lengthMs: number): number {
  return lengthMs > 0 ? (total * 1000) / lengthMs : Number.NaN;
}

/** Rate of `total` (counted in `unit`) over `lengthMs` milliseconds: formatRate(8e6, 10000, 'bit') is "800 kbit/s". */
export function formatRate(total: number, lengthMs: number, unit: string): string {
  return formatSI(perSecond(total, lengthMs), `${unit}/s`);
}

const exact = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** The full value with digit grouping ("1,234,567"), for tooltips next to rounded figures. */
export function formatExact(x: number): string {
  return Number.isFinite(x) ? exact.format(x) : MISSING;
}

/** A duration in the largest sensible units: "500 ms", "10 s", "1 min 30 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return MISSING;
  if (ms < 1000 && ms !== 0) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  const restS = s % 60;
  if (m < 60) return restS ? `${m} min ${restS} s` : `${m} min`;
  const h = Math.floor(m / 60);
  const restM = m % 60;
  if (h < 24) return restM ? `${h} h ${restM} min` : `${h} h`;
  const d = Math.floor(h / 24);
  const restH = h % 24;
  return restH ? `${d} d ${restH} h` : `${d} d`;
}

/** How long ago, in whole seconds counted like a clock: "0 s ago", "2 s ago", "1 min 5 s ago". */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return MISSING;
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${s < 60 ? `${s} s` : formatDuration(s * 1000)} ago`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Wall-clock time "HH:MM:SS" (24 h) of an epoch-millisecond instant, in local time or UTC. */
export function formatClock(epochMs: number, utc = false): string {
  if (!Number.isFinite(epochMs)) return MISSING;
  const d = new Date(epochMs);
  return utc
    ? `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
    : `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
