/** A port's distinct-count value, as the WASM core computes it (assembly/flow.ts portValue), and back. Frames
 * carry port sets as the ports themselves (1-2 bytes each, and the common ones repeat) instead of their
 * 4-byte values; the merger turns them into the values its sketches hold. */

const MASK64 = (1n << 64n) - 1n;
const PORT_DOMAIN = 0x5052_5400_0000n; // "PRT": ports hash apart from addresses.

/** mix64 is the core's 64-bit finaliser (assembly/table/hash.ts). */
function mix64(x: bigint): bigint {
  x ^= x >> 33n;
  x = (x * 0xff51afd7ed558ccdn) & MASK64;
  x ^= x >> 33n;
  x = (x * 0xc4ceb9fe1a85ec53n) & MASK64;
  x ^= x >> 33n;
  return x;
}

let values: Uint32Array | undefined;
let ports: Map<number, number> | undefined;

/** portValues is every port's value, built on first use (65,536 mixes, a few tens of ms once). */
function portValues(): Uint32Array {
  if (values) return values;
  values = new Uint32Array(65536);
  for (let p = 0; p < 65536; p++) values[p] = Number(mix64(BigInt(p) | PORT_DOMAIN) >> 32n) || 1; // Never 0.
  return values;
}

/** portValue is the sketch value of port p (0..65535). */
export function portValue(p: number): number {
  return portValues()[p];
}

/** portOf is a port whose value is v, or -1 if no port has it (a value that came from elsewhere). */
export function portOf(v: number): number {
  if (!ports) {
    const all = portValues();
    ports = new Map();
    for (let p = 65535; p >= 0; p--) ports.set(all[p], p); // The lowest port of a (rare) shared value.
  }
  return ports.get(v) ?? -1;
}
