// Big-endian loads: a native load plus a byte swap. Callers check bounds first, once per set or record.

// load16be reads an unsigned 16-bit big-endian value at p.
@inline export function load16be(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}

// load32be reads an unsigned 32-bit big-endian value at p.
@inline export function load32be(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

// load64be reads an unsigned 64-bit big-endian value at p.
@inline export function load64be(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}

// loadUintBE reads an unsigned big-endian integer of any width 1..8 (reduced-size encoding, RFC 7011 6.2).
@inline export function loadUintBE(p: usize, width: u32): u64 {
  switch (width) {
    case 1: return <u64>load<u8>(p);
    case 2: return <u64>load16be(p);
    case 4: return <u64>load32be(p);
    case 8: return load64be(p);
  }
  let v: u64 = 0;
  for (let i: u32 = 0; i < width; i++) v = (v << 8) | <u64>load<u8>(p + i);
  return v;
}
