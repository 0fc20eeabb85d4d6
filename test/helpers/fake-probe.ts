// A probe made of one WebSocket: it sends hand-made frames of 1 s windows and keeps the merger's highest
// acknowledgement. For the limits tests and the UI benchmark, which need windows faster than real time.
import WebSocket from 'ws';
import { FrameWriter, decodeAck } from '../../src/protocol/frame.js';
import { FAMILY_IPV4, HOST_FIELD_COUNT, PROBE_ID_HEADER } from '../../src/protocol/messages.js';

export interface FakeProbe {
  ws: WebSocket;
  acked(): number; // The highest sequence acknowledged (-1: none).
  /** frame is window windowStart (1 s) as frame `sequence`: hosts 10.third.0.0 and up, a few flows each. */
  frame(sequence: number, windowStart: number, hosts: number, third: number): Uint8Array;
}

export async function connectFakeProbe(port: number, id: string): Promise<FakeProbe> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/probe`, { headers: { [PROBE_ID_HEADER]: id }, perMessageDeflate: false });
  let acked = -1;
  ws.on('message', (data: Buffer) => { acked = Math.max(acked, decodeAck(data)); });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const writer = new FrameWriter(), values = new Float64Array(HOST_FIELD_COUNT), addr = new Uint8Array(4);
  return {
    ws,
    acked: () => acked,
    frame(sequence, windowStart, hosts, third) {
      writer.begin({ probeId: id, windowStart, windowLength: 1000, sequence, stats: [] });
      for (let h = 0; h < hosts; h++) {
        values.fill(0);
        values[0] = 1 + (h % 7); values[1] = 3 * values[0]; values[2] = 100 * values[0] * (1 + (h % 251));
        addr.set([10, third, h >> 8, h & 255]);
        writer.host(FAMILY_IPV4, addr, 0, values);
      }
      return writer.finish();
    },
  };
}
