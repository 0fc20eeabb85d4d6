/** Distinct-count sketches: exact sets of 32-bit hash values while small, HyperLogLog beyond; union and estimate. */
import { SKETCH_EXACT_LIMIT, SKETCH_HLL_BITS, SKETCH_REGISTERS, SKETCH_MAX_RANK } from './messages.js';

/** SketchSource is a sketch as some memory holds it: registers if set; else the registers that are set
 * (sparse: u32 (index + 1) << 5 | rank, zeros skipped), as the WASM core keeps a HyperLogLog while it is
 * small; else exact values (zeros are empty slots, skipped). */
export interface SketchSource {
  readonly exact?: ArrayLike<number>;
  readonly sparse?: ArrayLike<number>;
  readonly registers?: Uint8Array;
}

/** registersOf gives a source's HyperLogLog registers (a sparse one expanded into into), or undefined for an exact set. */
export function registersOf(s: SketchSource, into?: Uint8Array): Uint8Array | undefined {
  if (s.registers) return s.registers;
  if (!s.sparse) return undefined;
  const r = into ?? new Uint8Array(SKETCH_REGISTERS);
  r.fill(0);
  for (let i = 0; i < s.sparse.length; i++) {
    const w = s.sparse[i];
    if (w !== 0) r[(w >>> 5) - 1] = w & 31;
  }
  return r;
}

const RANK_SHIFT = 32 - SKETCH_HLL_BITS;

/** addToRegisters records value v (a 32-bit hash) the way the WASM core does: top bits pick the register, rank = 1 + leading zeros of the rest. */
export function addToRegisters(registers: Uint8Array, v: number): void {
  const i = v >>> RANK_SHIFT;
  const rank = Math.clz32(((v << SKETCH_HLL_BITS) | (1 << (SKETCH_HLL_BITS - 1))) >>> 0) + 1;
  if (rank > registers[i]) registers[i] = rank;
}

/** DistinctSketch is a mergeable distinct count: the union of two is the sketch of the union of their sets. */
export class DistinctSketch {
  /** The values, ascending and unique, while there are at most SKETCH_EXACT_LIMIT of them. */
  exact?: Uint32Array;
  /** HyperLogLog registers once the set outgrew the exact form. */
  registers?: Uint8Array;

  private constructor(exact: Uint32Array | undefined, registers: Uint8Array | undefined) {
    this.exact = exact;
    this.registers = registers;
  }

  /** ofValues makes the sketch of a set of non-zero 32-bit values (duplicates are fine). */
  static ofValues(values: ArrayLike<number>): DistinctSketch {
    const sorted = Uint32Array.from(values).sort();
    let n = 0;
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i];
    return new DistinctSketch(sorted.slice(0, n), undefined).normalise();
  }

  /** ofRegisters wraps HyperLogLog registers (taken, not copied). */
  static ofRegisters(registers: Uint8Array): DistinctSketch {
    return new DistinctSketch(undefined, registers);
  }

  /** ofSource copies a sketch out of other memory (the WASM core's). */
  static ofSource(s: SketchSource): DistinctSketch {
    if (s.registers) return DistinctSketch.ofRegisters(Uint8Array.from(s.registers));
    if (s.sparse) return DistinctSketch.ofRegisters(registersOf(s)!);
    const exact = s.exact!;
    const values: number[] = [];
    for (let i = 0; i < exact.length; i++) if (exact[i] !== 0) values.push(exact[i]);
    return DistinctSketch.ofValues(values);
  }

  /** clone copies the sketch. */
  clone(): DistinctSketch {
    return new DistinctSketch(this.exact?.slice(), this.registers?.slice());
  }

  /** union adds the other sketch's set to this one, in place. */
  union(other: SketchSource): this {
    const theirs = registersOf(other);
    if (theirs) {
      const r = this._toRegisters();
      for (let i = 0; i < SKETCH_REGISTERS; i++) if (theirs[i] > r[i]) r[i] = theirs[i];
    } else if (this.registers) {
      const exact = other.exact!;
      for (let i = 0; i < exact.length; i++) if (exact[i] !== 0) addToRegisters(this.registers, exact[i]);
    } else {
      this.exact = mergeSorted(this.exact!, other.exact!);
      this.normalise();
    }
    return this;
  }

  /** estimate is the number of distinct values: exact while small, HyperLogLog's estimate beyond. */
  estimate(): number {
    return this.registers ? Math.round(estimateRegisters(this.registers)) : this.exact!.length;
  }

  /** byteLength is what the sketch holds in memory (for budgets). */
  get byteLength(): number {
    return this.registers ? this.registers.length : this.exact!.byteLength;
  }

  private normalise(): this {
    if (this.exact && this.exact.length > SKETCH_EXACT_LIMIT) this._toRegisters();
    return this;
  }

  private _toRegisters(): Uint8Array {
    if (!this.registers) {
      this.registers = new Uint8Array(SKETCH_REGISTERS);
      for (const v of this.exact!) addToRegisters(this.registers, v);
      this.exact = undefined;
    }
    return this.registers;
  }
}

/** mergeSorted unions an ascending unique array with values in any order (zeros skipped). */
function mergeSorted(a: Uint32Array, other: ArrayLike<number>): Uint32Array {
  const b = Uint32Array.from(other).sort();
  const out = new Uint32Array(a.length + b.length);
  let i = 0, j = 0, n = 0;
  while (i < a.length || j < b.length) {
    let v: number;
    if (j >= b.length || (i < a.length && a[i] < b[j])) v = a[i++];
    else if (i >= a.length || b[j] < a[i]) v = b[j++];
    else { v = a[i++]; j++; }
    if (v !== 0 && (n === 0 || out[n - 1] !== v)) out[n++] = v;
  }
  return out.slice(0, n);
}

/** estimateSource estimates a sketch where it lies, without copying it. */
export function estimateSource(s: SketchSource): number {
  const registers = registersOf(s);
  if (registers) return Math.round(estimateRegisters(registers));
  const exact = s.exact!;
  let n = 0;
  for (let i = 0; i < exact.length; i++) if (exact[i] !== 0) n++;
  return n;
}

/** estimateRegisters is Ertl's improved raw estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017, algorithm 6): unbiased from small to large counts without empirical
 * bias tables or a switch to linear counting. */
export function estimateRegisters(registers: Uint8Array): number {
  const m = SKETCH_REGISTERS;
  const q = SKETCH_MAX_RANK - 1;
  const c = new Float64Array(q + 2);
  for (let i = 0; i < m; i++) c[registers[i]]++;
  let z = m * tau(1 - c[q + 1] / m);
  for (let k = q; k >= 1; k--) z = 0.5 * (z + c[k]);
  z += m * sigma(c[0] / m);
  // Every register at the top rank (about 2^32 values seen) is beyond what 32-bit values can tell apart.
  return z === 0 ? 2 ** 32 : Math.min((m * m) / (2 * Math.LN2 * z), 2 ** 32);
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1, z = x;
  for (;;) {
    x *= x;
    const prev = z;
    z += x * y;
    y += y;
    if (z === prev) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1, z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const prev = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === prev) return z / 3;
  }
}
