// Colour scales for the heatmap: viridis (perceptually uniform, survives greyscale) as a 256-entry table of
// RGBA words for an ImageData, a log10 (or linear) mapping of values to table indices, and decade ticks.

/** viridis(t) for t in [0, 1] as [r, g, b] in 0..255 (a polynomial fit of matplotlib's viridis). */
export function viridis(t: number): [number, number, number] {
  const c = [
    [0.2777273272234177, 0.005407344544966578, 0.3340998053353061],
    [0.1050930431085774, 1.404613529898575, 1.384590162594685],
    [-0.3308618287255563, 0.214847559468213, 0.09509516302823659],
    [-4.634230498983486, -5.799100973351585, -19.33244095627987],
    [6.228269936347081, 14.17993336680509, 56.69055260068105],
    [4.776384997670288, -13.74514537774601, -65.35303263337234],
    [-5.435455855934631, 4.645852612178535, 26.3124352495832],
  ] as const;
  const x = Math.min(1, Math.max(0, t));
  return [0, 1, 2].map((k) => {
    let v = 0;
    for (let i = 6; i >= 0; i--) v = v * x + c[i]![k]!;
    return Math.round(Math.min(1, Math.max(0, v)) * 255);
  }) as [number, number, number];
}

/** rampTable is 256 colours as little-endian RGBA words (what a Uint32Array over ImageData takes). */
export function rampTable(f: (t: number) => [number, number, number] = viridis): Uint32Array {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const [r, g, b] = f(i / 255);
    table[i] = (255 << 24) | (b << 16) | (g << 8) | r;
  }
  return table;
}

/** Scale maps values above zero to 0..255; zero and missing are off the ramp (their own colours). */
export interface Scale {
  kind: 'log' | 'lin';
  min: number; // log: the smallest positive value; lin: 0.
  max: number;
  index(v: number): number;
}

export function makeScale(kind: 'log' | 'lin', values: ArrayLike<number>, pinnedMax?: number): Scale {
  let min = Infinity, n = 0;
  const positive = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 0) { positive[n++] = v; if (v < min) min = v; }
  }
  positive.subarray(0, n).sort(); // A typed sort: numeric, and several times faster than an array's.
  // The top defaults to the 99.5th percentile of the visible cells, so that one outlier does not flatten the rest.
  const max = pinnedMax ?? (n ? positive[Math.min(n - 1, Math.floor(n * 0.995))]! : 1);
  if (!Number.isFinite(min)) min = 1;
  if (kind === 'lin') {
    return { kind, min: 0, max, index: (v) => Math.min(255, Math.max(0, Math.round((v / max) * 255))) };
  }
  const lo = Math.log10(Math.min(min, max)), hi = Math.log10(max);
  const k = 255 / (hi - lo || 1);
  return { kind, min: Math.min(min, max), max, index: (v) => { const i = Math.round((Math.log10(v) - lo) * k); return i < 0 ? 0 : i > 255 ? 255 : i; } };
}

/** decadeTicks are the powers of ten within [min, max], for a log legend. */
export function decadeTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(min) - 1e-9); e <= Math.floor(Math.log10(max) + 1e-9); e++) out.push(10 ** e);
  return out;
}
