// 64-bit mixing (the murmur3/splitmix finaliser): one mix gives both a table slot and sketch bits.

// mix64 scrambles a 64-bit value so that every input bit affects every output bit.
@inline export function mix64(x: u64): u64 {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccd;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53;
  x ^= x >> 33;
  return x;
}

// hashKey128 hashes a 16-byte key given as two little-endian u64 halves.
@inline export function hashKey128(lo: u64, hi: u64): u64 {
  return mix64(lo ^ mix64(hi));
}
