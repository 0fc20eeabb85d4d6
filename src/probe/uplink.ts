/** Uplink: the probe's WebSocket to the merger. Keeps every frame until the merger acknowledges it,
 * resends the unacknowledged ones in order after a reconnect, reconnects with backoff and jitter. */
import WebSocket from 'ws';
import { RateLimitedLog } from '../shared/log.js';
import { PROBE_ID_HEADER } from '../protocol/messages.js';
import { decodeAck } from '../protocol/frame.js';
import type { Spool, SpoolLocation } from './spool.js';
import { TokenBucket } from '../shared/token-bucket.js';

/** FRAME_DEFLATE_LEVEL: zlib's default. Level 1 took half the CPU (73 against 168 ms for a frame of
 * 100,000 hosts) for frames 4-8 % larger, and in runs at 100,000 datagrams/s with 100,000 hosts a window
 * its closes lost no fewer datagrams (three runs each, 2026-12-04): the smaller frames win. */
export const FRAME_DEFLATE_LEVEL = 6;

/** FRAME_DEFLATE: frames go deflated (permessage-deflate, RFC 7692), about half their size for
 * softflowd's campus capture; each message on its own, so that neither end keeps a window per connection.
 * ws deflates in libuv's thread pool, off the thread that reads UDP. */
const FRAME_DEFLATE = { clientNoContextTakeover: true, serverNoContextTakeover: true, zlibDeflateOptions: { level: FRAME_DEFLATE_LEVEL }, threshold: 1024 };

/** UplinkOptions bound the queue and the socket's send buffer. */
export interface UplinkOptions {
  url: string; // ws://host:port/probe
  probeId: string; // Sent at the upgrade (PROBE_ID_HEADER), so that the merger waits for this probe from the start.
  token?: string; // Sent at the upgrade as Authorization: Bearer.
  ca?: Buffer; // For wss://: the only CA whose certificates the probe accepts.
  maxQueuedBytes: number; // Unacknowledged frames kept in memory; over it the oldest leave memory (to the spool, or dropped and counted).
  spool?: Spool; // Every frame also on disk, until acknowledged; read back after a restart.
  maxBufferedBytes: number; // Stop handing frames to the socket above this (backpressure).
  maxFramesPerSecond: number; // Resends after an outage are paced to this, under the merger's limit (its default 100/s).
  minBackoffMs: number;
  maxBackoffMs: number;
}

export function defaultUplinkOptions(url: string, probeId: string): UplinkOptions {
  return { url, probeId, maxQueuedBytes: 64 << 20, maxBufferedBytes: 8 << 20, maxFramesPerSecond: 50, minBackoffMs: 500, maxBackoffMs: 30_000 };
}

/** UplinkStats is what the uplink counted. */
export interface UplinkStats {
  connected: boolean;
  framesSent: number;
  bytesSent: number;
  framesQueued: number; // Not acknowledged yet (sent or not).
  bytesQueued: number;
  framesAcked: number;
  lastAck: number; // The highest sequence the merger acknowledged (-1: none yet).
  framesDropped: number; // Dropped unacknowledged because the queue was full: their windows are missing at the merger.
  connects: number;
  deflate: boolean; // The connection deflates frames (the merger took permessage-deflate).
  lastError: string;
}

/** QueuedFrame is an unacknowledged frame: its bytes in memory, on disk, or both. */
interface QueuedFrame {
  sequence: number;
  length: number;
  bytes?: Uint8Array;
  at?: SpoolLocation;
}

/** Uplink sends frames in order over one WebSocket at a time. */
export class Uplink {
  private _ws?: WebSocket;
  private readonly _queue: QueuedFrame[] = []; // Unacknowledged, in sequence order.
  private _next = 0; // The queue index of the next frame to send on this connection.
  private _queuedBytes = 0; // All unacknowledged frames.
  private _memoryBytes = 0; // Those whose bytes are in memory.
  /** lastSequence is the highest sequence queued, spooled ones included (-1: none). */
  lastSequence = -1;
  private _backoff: number;
  private _timer?: NodeJS.Timeout;
  private _flushTimer?: NodeJS.Timeout;
  private _pace?: TokenBucket;
  private _stopped = true;
  private readonly _log = new RateLimitedLog('probe', 60_000);
  readonly stats: UplinkStats = {
    connected: false, framesSent: 0, bytesSent: 0, framesQueued: 0, bytesQueued: 0, framesAcked: 0, lastAck: -1, framesDropped: 0, connects: 0, deflate: false, lastError: '',
  };

  constructor(readonly options: UplinkOptions) {
    this._backoff = options.minBackoffMs;
    for (const f of options.spool?.load() ?? []) { // What a previous run spooled and the merger never acknowledged.
      this._queue.push({ sequence: f.sequence, length: f.at.length, at: f.at });
      this._queuedBytes += f.at.length;
      this.lastSequence = Math.max(this.lastSequence, f.sequence);
    }
    this._updateQueueStats();
  }

  start(): void {
    this._stopped = false;
    this._connect();
  }

  /** send queues a frame (sequences ascending) and flushes what the socket can take now. */
  send(frame: Uint8Array, sequence: number): void {
    const queued: QueuedFrame = { sequence, length: frame.length, bytes: frame };
    const spool = this.options.spool;
    if (spool) {
      const { at, droppedUpTo } = spool.append(sequence, frame);
      queued.at = at;
      while (this._queue.length > 0 && this._queue[0].sequence <= droppedUpTo) { // The spool was full.
        this._shift();
        this.stats.framesDropped++;
      }
    }
    this._queue.push(queued);
    this._queuedBytes += frame.length;
    this._memoryBytes += frame.length;
    this.lastSequence = Math.max(this.lastSequence, sequence);
    // Over the memory bound the oldest frames leave memory: to the spool if there is one, else for good.
    for (let i = 0; this._memoryBytes > this.options.maxQueuedBytes && i < this._queue.length - 1;) {
      const f = this._queue[i];
      if (!f.bytes) { i++; continue; }
      if (f.at) {
        f.bytes = undefined;
        this._memoryBytes -= f.length;
        i++;
      } else {
        this._queue.splice(i, 1);
        this._queuedBytes -= f.length;
        this._memoryBytes -= f.length;
        if (this._next > i) this._next--;
        this.stats.framesDropped++;
      }
    }
    this._flush();
  }

  /** _ack drops the frames the merger acknowledged: every one up to sequence. */
  private _ack(sequence: number): void {
    if (sequence > this.stats.lastAck) this.stats.lastAck = sequence;
    this.options.spool?.ack(sequence);
    while (this._queue.length > 0 && this._queue[0].sequence <= sequence) {
      this._shift();
      this.stats.framesAcked++;
    }
    this._updateQueueStats();
  }

  private _shift(): void {
    const f = this._queue.shift()!;
    this._queuedBytes -= f.length;
    if (f.bytes) this._memoryBytes -= f.length;
    if (this._next > 0) this._next--;
  }

  /** stop sends what it can and waits for its acknowledgement within timeoutMs, then closes. */
  async stop(timeoutMs = 2000): Promise<void> {
    this._stopped = true;
    clearTimeout(this._timer);
    clearTimeout(this._flushTimer);
    this._flushTimer = undefined;
    const ws = this._ws;
    if (!ws) return this.options.spool?.close();
    const deadline = Date.now() + timeoutMs;
    while (ws.readyState === WebSocket.OPEN && this._queue.length > 0 && Date.now() < deadline) {
      this._flush();
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', () => resolve());
      ws.close(1001, 'probe stopping');
      setTimeout(() => { ws.terminate(); resolve(); }, 500).unref();
    });
    this.options.spool?.close();
  }

  private _connect(): void {
    if (this._stopped) return;
    const ws = new WebSocket(this.options.url, { perMessageDeflate: FRAME_DEFLATE, handshakeTimeout: 10_000, ...(this.options.ca ? { ca: this.options.ca } : {}), headers: {
      [PROBE_ID_HEADER]: encodeURIComponent(this.options.probeId),
      ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
    } });
    let refused = false; // The upgrade was answered with an HTTP error: that says it, not the abort after it.
    ws.on('unexpected-response', (_req, res) => { // Refused at the upgrade: say why, then retry with backoff.
      refused = true;
      this.stats.lastError = `refused by the merger: HTTP ${res.statusCode}`;
      this._log.log(`refused:${res.statusCode}`, `merger ${this.options.url} refused this probe: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`);
      ws.terminate();
    });
    this._ws = ws;
    ws.on('open', () => {
      this.stats.connected = true;
      this.stats.connects++;
      this.stats.deflate = ws.extensions.includes('permessage-deflate');
      this._backoff = this.options.minBackoffMs;
      this._next = 0; // What the last connection sent but the merger did not acknowledge goes again.
      this._pace = new TokenBucket(this.options.maxFramesPerSecond, this.options.maxFramesPerSecond, Date.now());
      this._flush();
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      try {
        if (!isBinary) throw new Error('a text message');
        this._ack(decodeAck(data));
        this._flush();
      } catch (err) {
        this._log.log('bad-ack', `merger ${this.options.url} sent what is not an acknowledgement: ${(err as Error).message}`);
      }
    });
    ws.on('error', (err) => {
      if (refused) return;
      this.stats.lastError = err.message;
      this._log.log(`error:${err.message}`, `merger ${this.options.url}: ${err.message}`);
    });
    ws.on('close', (code, reason) => {
      if (code === 1008 || code === 1003 || code === 1013) { // The merger refused this probe, or asks it to come back later: say why.
        this.stats.lastError = `refused by the merger: ${reason.toString()}`;
        this._log.log(`close:${code}`, `merger ${this.options.url} refused this probe: ${reason.toString()}`);
      }
      this.stats.connected = false;
      if (this._ws === ws) this._ws = undefined;
      this._scheduleReconnect();
    });
  }

  private _scheduleReconnect(): void {
    if (this._stopped) return;
    const delay = this._backoff * (0.5 + Math.random() * 0.5);
    this._backoff = Math.min(this._backoff * 2, this.options.maxBackoffMs);
    this._timer = setTimeout(() => this._connect(), delay);
  }

  private _flush(): void {
    const ws = this._ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return this._updateQueueStats();
    let wait = 50; // Above the buffer limit, try again shortly: ws has no drain event, bufferedAmount falls as it writes.
    while (this._next < this._queue.length && ws.bufferedAmount < this.options.maxBufferedBytes) {
      if (!this._pace!.take(Date.now())) {
        wait = this._pace!.waitMs();
        break;
      }
      const f = this._queue[this._next++];
      const frame = f.bytes ?? this.options.spool!.read(f.at!);
      ws.send(frame, { binary: true });
      this.stats.framesSent++;
      this.stats.bytesSent += frame.length;
    }
    if (this._next < this._queue.length && !this._flushTimer) {
      this._flushTimer = setTimeout(() => { this._flushTimer = undefined; this._flush(); }, wait);
    }
    this._updateQueueStats();
  }

  private _updateQueueStats(): void {
    this.stats.framesQueued = this._queue.length;
    this.stats.bytesQueued = this._queuedBytes;
  }
}
