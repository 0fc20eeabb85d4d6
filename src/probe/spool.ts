/** The probe's disk spool: every frame is appended (and synced) before it is sent, kept until the merger
 * acknowledges it, and read back after a restart. Segment files of records
 *   u32 payload length | u32 CRC-32 of the payload | payload = f64 sequence + frame bytes
 * so that a record torn by a crash fails its length or CRC check and is skipped, never sent. */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const RECORD_HEADER = 8;
const SEGMENT_BYTES = 4 << 20; // A new segment file after this many bytes (a quarter of a smaller bound); acknowledged segments are deleted whole.
const SEGMENT = /^(\d{12})\.spool$/;

/** SpoolLocation is where one frame's bytes are on disk. */
export interface SpoolLocation {
  segment: number;
  offset: number; // Of the frame bytes in the segment file.
  length: number;
}

/** SpooledFrame is one frame found in the spool at start-up. */
export interface SpooledFrame {
  sequence: number;
  at: SpoolLocation;
}

/** SpoolStats is what the spool counted. */
export interface SpoolStats {
  bytes: number; // On disk now.
  frames: number;
  tornRecords: number; // Records found torn or corrupt at start-up and skipped.
  framesDropped: number; // Oldest frames deleted to stay within the size bound.
}

interface Segment {
  number: number;
  bytes: number;
  frames: number;
  lastSequence: number;
}

/** Spool appends frames to segment files under dir and deletes whole segments once acknowledged. */
export class Spool {
  private readonly _segments: Segment[] = [];
  private _fd?: number;
  readonly stats: SpoolStats = { bytes: 0, frames: 0, tornRecords: 0, framesDropped: 0 };

  constructor(readonly dir: string, readonly maxBytes: number) {
    mkdirSync(dir, { recursive: true });
  }

  /** load reads every intact record of the segments on disk, oldest first; torn ones are counted and skipped. */
  load(): SpooledFrame[] {
    const frames: SpooledFrame[] = [];
    const numbers = readdirSync(this.dir).map((n) => SEGMENT.exec(n)).filter((m) => m !== null).map((m) => Number(m![1])).sort((a, b) => a - b);
    for (const number of numbers) {
      const data = readFileSync(this._path(number));
      const segment: Segment = { number, bytes: data.length, frames: 0, lastSequence: -1 };
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let at = 0; at < data.length;) {
        const length = at + RECORD_HEADER <= data.length ? view.getUint32(at) : -1;
        const end = at + RECORD_HEADER + length;
        if (length < 8 || end > data.length || crc32(data.subarray(at + RECORD_HEADER, end)) !== view.getUint32(at + 4)) {
          this.stats.tornRecords++; // The rest of this segment cannot be framed: a crash tore its tail.
          break;
        }
        const sequence = view.getFloat64(at + RECORD_HEADER);
        frames.push({ sequence, at: { segment: number, offset: at + RECORD_HEADER + 8, length: length - 8 } });
        segment.frames++;
        segment.lastSequence = sequence;
        at = end;
      }
      this._segments.push(segment);
      this.stats.bytes += segment.bytes;
      this.stats.frames += segment.frames;
    }
    return frames;
  }

  /** append writes one frame and syncs it; over the size bound the oldest segments go first (their frames
   * are lost: the merger never gets their windows). droppedUpTo is then the last sequence deleted. */
  append(sequence: number, frame: Uint8Array): { at: SpoolLocation; droppedUpTo: number } {
    let last = this._segments[this._segments.length - 1];
    if (this._fd === undefined || !last || last.bytes >= Math.min(SEGMENT_BYTES, this.maxBytes / 4)) {
      if (this._fd !== undefined) closeSync(this._fd);
      last = { number: (last?.number ?? 0) + 1, bytes: 0, frames: 0, lastSequence: -1 };
      this._segments.push(last);
      this._fd = openSync(this._path(last.number), 'a');
    }
    const record = Buffer.allocUnsafe(RECORD_HEADER + 8 + frame.length);
    record.writeDoubleBE(sequence, RECORD_HEADER);
    record.set(frame, RECORD_HEADER + 8);
    record.writeUInt32BE(8 + frame.length, 0);
    record.writeUInt32BE(crc32(record.subarray(RECORD_HEADER)), 4);
    writeSync(this._fd, record);
    fsyncSync(this._fd);
    const at = { segment: last.number, offset: last.bytes + RECORD_HEADER + 8, length: frame.length };
    last.bytes += record.length;
    last.frames++;
    last.lastSequence = sequence;
    this.stats.bytes += record.length;
    this.stats.frames++;
    let droppedUpTo = -1;
    while (this.stats.bytes > this.maxBytes && this._segments.length > 1) {
      const oldest = this._segments[0];
      droppedUpTo = Math.max(droppedUpTo, oldest.lastSequence);
      this.stats.framesDropped += this._remove(oldest);
    }
    return { at, droppedUpTo };
  }

  /** read gives a spooled frame's bytes back. */
  read(at: SpoolLocation): Uint8Array {
    const fd = openSync(this._path(at.segment), 'r');
    try {
      const bytes = Buffer.allocUnsafe(at.length);
      readSync(fd, bytes, 0, at.length, at.offset);
      return bytes;
    } finally {
      closeSync(fd);
    }
  }

  /** ack deletes the segments whose every frame has a sequence up to the one acknowledged. */
  ack(sequence: number): void {
    while (this._segments.length > 0 && (this._segments[0].frames === 0 || this._segments[0].lastSequence <= sequence)) {
      if (this._segments.length === 1 && this._fd !== undefined) { // The open segment: start a new one next time.
        closeSync(this._fd);
        this._fd = undefined;
      }
      this._remove(this._segments[0]);
    }
  }

  private _remove(s: Segment): number {
    this._segments.splice(this._segments.indexOf(s), 1);
    try {
      unlinkSync(this._path(s.number));
    } catch { /* Already gone. */ }
    this.stats.bytes -= s.bytes;
    this.stats.frames -= s.frames;
    return s.frames;
  }

  close(): void {
    if (this._fd !== undefined) closeSync(this._fd);
    this._fd = undefined;
  }

  private _path(number: number): string {
    return join(this.dir, `${String(number).padStart(12, '0')}.spool`);
  }
}
