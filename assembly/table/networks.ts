// Monitored networks: only addresses inside them become hosts. None configured: every address is a host.
import { allocRegion } from "../memory";

export const MAX_NETWORKS: u32 = 256;

// Each network is 32 bytes: the 16-byte key of its address (IPv4 as ::ffff:a.b.c.d), masked, then the
// 16-byte mask. Both are read as two little-endian u64 halves, as host keys are.
let networks: usize = 0;
let count: u32 = 0;

export function initNetworks(): void {
  networks = allocRegion(<usize>MAX_NETWORKS * 32);
}

// setNetworks copies n networks (32 bytes each) from src; n = 0 monitors every address.
export function setNetworks(src: usize, n: u32): void {
  count = n < MAX_NETWORKS ? n : MAX_NETWORKS;
  memory.copy(networks, src, <usize>count * 32);
}

// monitored tells whether the address (lo, hi) is a host.
@inline export function monitored(lo: u64, hi: u64): bool {
  if (count == 0) return true;
  for (let i: u32 = 0; i < count; i++) {
    const n = networks + (<usize>i << 5);
    if ((lo & load<u64>(n, 16)) == load<u64>(n) && (hi & load<u64>(n, 24)) == load<u64>(n, 8)) return true;
  }
  return false;
}
