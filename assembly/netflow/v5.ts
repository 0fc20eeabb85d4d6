// NetFlow v5: a 24-byte header and fixed 48-byte records; sampling mode and interval in the header.
import { load16be, load32be } from "../bytes";
import { count } from "../memory";
import { ERR_TRUNCATED, ERR_BAD_COUNT, STAT_PACKETS_V5, STAT_ERR_BAD_COUNT, STAT_RECORDS } from "../abi";
import { emitFlow, setSource, setDestination, FF_SRC, FF_DST, FF_TIMES, FF_PORTS, FF_PROTO, FF_TCP_FLAGS } from "../flow";
import { domainSlot, checkSequence } from "../exporter/state";
import { fail } from "../errors";

const HEADER_LENGTH: usize = 24;
const RECORD_LENGTH: usize = 48;
const MAX_RECORDS: u32 = 30;

// decodeV5 decodes one NetFlow v5 export packet at msg. The engine type and id form its "domain".
export function decodeV5(msg: usize, len: usize, exporterId: u32, nowMs: f64): void {
  count(STAT_PACKETS_V5);
  if (len < HEADER_LENGTH) return fail(ERR_TRUNCATED, msg, 0, 0);
  const n = load16be(msg + 2);
  const uptime = load32be(msg + 4);
  const exportMs = <f64>load32be(msg + 8) * 1000 + <f64>load32be(msg + 12) / 1e6;
  const sequence = load32be(msg + 16);
  const engine = load16be(msg + 20);
  const sampling = load16be(msg + 22);
  if (n == 0 || n > MAX_RECORDS || HEADER_LENGTH + <usize>n * RECORD_LENGTH > len) {
    count(STAT_ERR_BAD_COUNT);
    return fail(ERR_BAD_COUNT, msg + 2, engine, 0);
  }
  const d = domainSlot(exporterId, engine, nowMs);
  checkSequence(d, sequence, sequence + n, true); // flow_sequence counts flows.
  // Sampling: the top 2 bits are the mode, the low 14 the interval (1-in-N); 0 or 1 means unsampled.
  const interval = sampling & 0x3fff;
  const rate: f64 = (sampling >> 14) != 0 && interval > 1 ? <f64>interval : 1;
  let r = msg + HEADER_LENGTH;
  for (let i: u32 = 0; i < n; i++, r += RECORD_LENGTH) {
    setSource(0, (<u64>load<u32>(r) << 32) | 0xffff0000);
    setDestination(0, (<u64>load<u32>(r + 4) << 32) | 0xffff0000);
    const packets = <u64>load32be(r + 16);
    const octets = <u64>load32be(r + 20);
    const first = exportMs + <f64><i32>(load32be(r + 24) - uptime); // Uptime ms, modulo 2^32 (quirk 12).
    const last = exportMs + <f64><i32>(load32be(r + 28) - uptime);
    emitFlow(FF_SRC | FF_DST | FF_TIMES | FF_PORTS | FF_PROTO | FF_TCP_FLAGS, packets, octets, 0, 0, first, last, rate,
      load16be(r + 32), load16be(r + 34), <u32>load<u8>(r + 38), <u32>load<u8>(r + 37), 0, 0, engine, 5);
  }
  count(STAT_RECORDS, <u64>n);
}
