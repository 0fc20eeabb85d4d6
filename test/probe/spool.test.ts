import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, truncateSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool } from '../../src/probe/spool.js';

const frame = (n: number, size = 100) => Uint8Array.from({ length: size }, (_, i) => (n * 31 + i) & 0xff);
const files = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.spool')).sort();

describe('Spool', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hostflow-spool-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back every frame after a restart, in order, with its sequence', () => {
    const s = new Spool(dir, 1 << 30);
    for (const n of [5, 6, 7]) s.append(n, frame(n));
    s.close();
    const again = new Spool(dir, 1 << 30);
    const frames = again.load();
    expect(frames.map((f) => f.sequence)).toEqual([5, 6, 7]);
    expect(frames.map((f) => [...again.read(f.at)])).toEqual([5, 6, 7].map((n) => [...frame(n)]));
    expect(again.stats).toMatchObject({ frames: 3, tornRecords: 0 });
  });

  it('skips a record torn by a crash (cut short) and one whose bytes changed (CRC)', () => {
    const s = new Spool(dir, 1 << 30);
    for (const n of [1, 2, 3]) s.append(n, frame(n));
    s.close();
    const path = join(dir, files(dir)[0]);
    truncateSync(path, statSync(path).size - 5);
    let again = new Spool(dir, 1 << 30);
    expect(again.load().map((f) => f.sequence)).toEqual([1, 2]);
    expect(again.stats.tornRecords).toBe(1);
    const bytes = readFileSync(path);
    bytes[116 + 16 + 20] ^= 0xff; // Inside the second record's frame bytes.
    writeFileSync(path, bytes);
    again = new Spool(dir, 1 << 30);
    expect(again.load().map((f) => f.sequence)).toEqual([1]);
    // New frames go to a new segment, never after a torn tail.
    again.append(9, frame(9));
    expect(files(dir)).toHaveLength(2);
    expect(new Spool(dir, 1 << 30).load().map((f) => f.sequence)).toEqual([1, 9]);
  });

  it('deletes segments once acknowledged, and the oldest ones past its bound', () => {
    const s = new Spool(dir, 4 << 20); // Segments of 1 MiB.
    for (let n = 1; n <= 10; n++) s.append(n, frame(n, 300_000)); // 3 MiB: three segments and a bit.
    expect(files(dir).length).toBe(3);
    s.ack(3);
    expect(files(dir).length).toBe(3); // The first segment holds 1..4.
    s.ack(4);
    expect(files(dir).length).toBe(2);
    let dropped = -1;
    for (let n = 11; n <= 30; n++) dropped = Math.max(dropped, s.append(n, frame(n, 300_000)).droppedUpTo);
    expect(s.stats.bytes).toBeLessThanOrEqual(4 << 20);
    expect(s.stats.framesDropped).toBeGreaterThan(0);
    expect(new Spool(dir, 4 << 20).load()[0].sequence).toBe(dropped + 1);
  });
});
