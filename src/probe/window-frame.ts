/** closeWindowInto: a closing window's hosts into frame parts, written by the core in their wire form. */
import type { FlowCore } from '../wasm/core.js';
import type { FrameWriter } from '../protocol/frame.js';
import { MAX_FRAME_HOSTS, MAX_FRAME_REGISTER_SKETCHES } from '../protocol/messages.js';

/** closeWindowInto closes the core's window into writer, whose part has begun: the core encodes the hosts
 * (FlowCore.encodeHosts, a tenth of the time of visiting them in JavaScript) up to the part's limits; when
 * a part is full (MAX_FRAME_HOSTS hosts, the HyperLogLog cap, or partBytes), nextPart() must finish it and
 * begin the next. The last part is left for the caller to finish. Returns the hosts written. */
export function closeWindowInto(core: FlowCore, writer: FrameWriter, partBytes: number, nextPart: () => void): number {
  const n = core.windowHosts();
  try {
    for (let k = 0; k < n;) {
      if (writer.full || writer.size >= partBytes) nextPart();
      const r = core.encodeHosts(k, n, MAX_FRAME_HOSTS - writer.hosts, MAX_FRAME_REGISTER_SKETCHES - writer.registerSketches, partBytes - writer.size, writer.windowStart);
      writer.hostsEncoded(r.bytes, r.next - k, r.registerSketches);
      k = r.next;
    }
  } finally {
    core.endClose();
  }
  return n;
}
