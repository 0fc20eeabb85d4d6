/** Pure merging of window frames from many probes: counters add, duplicates drop, windows complete. No IO. */
import { FIRST_SEEN, LAST_SEEN, type WindowFrame } from '../protocol/messages.js';
import type { DistinctSketch } from '../protocol/sketch.js';

/** HostStats is one host's merged statistics: values[i] is HOST_FIELDS[i], distinct[i] DISTINCT_FIELDS[i]. */
export interface HostStats {
  values: Float64Array;
  distinct: (DistinctSketch | undefined)[];
}

/** CompletedWindow is one window merged over every probe that reported it. */
export interface CompletedWindow {
  start: number;
  length: number;
  probes: string[]; // Probes whose frames were merged.
  sequences: Map<string, number>; // Probe -> the highest sequence merged into this window.
  hosts: Map<string, HostStats>;
}

/** MergeResult says what happened to a frame. */
export type MergeResult = 'merged' | 'duplicate' | 'late' | 'future' | 'wrong_window' | 'over_memory';

/** ROW_BYTES is what one host row costs in memory besides its sketches (values, map entry, key). */
const ROW_BYTES = 400;

/** hostBytes estimates the memory one host's statistics hold. */
export function hostBytes(s: { distinct: readonly (DistinctSketch | undefined)[] }): number {
  let bytes = ROW_BYTES;
  for (const d of s.distinct) if (d) bytes += d.byteLength + 64;
  return bytes;
}

/** MergeStats counts frames by result. */
export type MergeStats = Record<MergeResult, number> & { windowsCompleted: number; hostDeltas: number };

interface Slot {
  start: number;
  bytes: number; // What the frames merged into it hold at most (hostBytes of each of their hosts).
  hosts: Map<string, HostStats>;
  sequences: Map<string, Set<number>>; // Probe -> sequences merged into this window.
}

/** addValues merges one host's values into an accumulator: counters add, first/last seen take min/max. */
function addValues(into: Float64Array, from: Float64Array): void {
  for (let i = 0; i < FIRST_SEEN; i++) into[i] += from[i];
  if (from[FIRST_SEEN] > 0 && (into[FIRST_SEEN] === 0 || from[FIRST_SEEN] < into[FIRST_SEEN])) into[FIRST_SEEN] = from[FIRST_SEEN];
  if (from[LAST_SEEN] > into[LAST_SEEN]) into[LAST_SEEN] = from[LAST_SEEN];
}

/** copyHost makes an accumulator of one host's statistics (a copy: the accumulator is changed later). */
export function copyHost(from: HostStats): HostStats {
  return { values: Float64Array.from(from.values), distinct: from.distinct.map((d) => d?.clone()) };
}

/** addHost merges one host's statistics into an accumulator: counters add, sketches union, times min/max. */
export function addHost(into: HostStats, from: HostStats): void {
  addValues(into.values, from.values);
  from.distinct.forEach((d, j) => {
    if (!d) return;
    const acc = into.distinct[j];
    if (acc) acc.union(d);
    else into.distinct[j] = d.clone();
  });
}

/** addTo adds one host's statistics to a map of accumulators (by host, or by time bucket), taking s itself for a new host (it must
 * not be changed elsewhere afterwards). */
export function addTo<K>(hosts: Map<K, HostStats>, key: K, s: HostStats): void {
  const acc = hosts.get(key);
  if (acc) addHost(acc, s);
  else hosts.set(key, s);
}

/** WindowMerger holds the windows not yet complete and completes them in order. */
export class WindowMerger {
  private readonly _slots = new Map<number, Slot>();
  private readonly _alive = new Map<string, number>(); // Connected probe -> connections.
  private readonly _lastReported = new Map<string, number>(); // Probe -> latest window start it reported.
  private _completedUpTo = -Infinity; // Windows that start before this are complete.
  private readonly _completedSequence = new Map<string, number>(); // Probe -> highest sequence in a completed window.
  private _pendingBytes = 0;
  readonly stats: MergeStats = { merged: 0, duplicate: 0, late: 0, future: 0, wrong_window: 0, over_memory: 0, windowsCompleted: 0, hostDeltas: 0 };

  /** maxPendingBytes bounds the memory of the windows held open: a frame that would pass it is refused
   * ('over_memory'), so that no stream of frames (a sparse sketch of a few bytes decodes to 32 KiB) can
   * grow the merger without bound. */
  constructor(
    readonly windowMs: number,
    readonly graceWindows: number,
    private readonly _onComplete: (w: CompletedWindow) => void,
    readonly maxPendingBytes = 256 << 20,
  ) {}

  /** pendingBytes is the memory the held windows may take, as estimated from the frames merged into them. */
  get pendingBytes(): number {
    return this._pendingBytes;
  }

  /** restore continues after a restart: windows before completedUpTo are complete (written), and a frame
   * for one of them with a sequence at most the probe's highest written one is a duplicate, not late. */
  restore(completedUpTo: number, sequences: ReadonlyMap<string, number>): void {
    this._completedUpTo = completedUpTo;
    for (const [probe, seq] of sequences) this._completedSequence.set(probe, seq);
  }

  /** probeUp marks a probe connected: windows wait for it (up to the grace period). */
  probeUp(probeId: string): void {
    this._alive.set(probeId, (this._alive.get(probeId) ?? 0) + 1);
  }

  /** probeDown marks one of its connections closed; windows no longer wait for a probe that is gone. */
  probeDown(probeId: string, now: number): void {
    const n = (this._alive.get(probeId) ?? 1) - 1;
    if (n <= 0) this._alive.delete(probeId);
    else this._alive.set(probeId, n);
    this.tick(now);
  }

  /** merge takes one decoded frame; it never merges part of a frame. */
  merge(frame: WindowFrame, now: number): MergeResult {
    const result = this._merge(frame, now);
    this.stats[result]++;
    if (result === 'merged') this.tick(now);
    return result;
  }

  private _merge(frame: WindowFrame, now: number): MergeResult {
    if (frame.windowLength !== this.windowMs) return 'wrong_window';
    if (frame.windowStart < this._completedUpTo) {
      return frame.sequence <= (this._completedSequence.get(frame.probeId) ?? -1) ? 'duplicate' : 'late';
    }
    if (frame.windowStart > now + this.windowMs) return 'future';
    let slot = this._slots.get(frame.windowStart);
    if (slot?.sequences.get(frame.probeId)?.has(frame.sequence)) return 'duplicate';
    let bytes = 0;
    for (const h of frame.hosts) bytes += hostBytes(h);
    if (this._pendingBytes + bytes > this.maxPendingBytes) return 'over_memory';
    if (!slot) {
      slot = { start: frame.windowStart, bytes: 0, hosts: new Map(), sequences: new Map() };
      this._slots.set(frame.windowStart, slot);
    }
    slot.bytes += bytes;
    this._pendingBytes += bytes;
    let seen = slot.sequences.get(frame.probeId);
    if (!seen) slot.sequences.set(frame.probeId, (seen = new Set()));
    seen.add(frame.sequence);
    for (const h of frame.hosts) {
      const acc = slot.hosts.get(h.host);
      if (acc) addHost(acc, h);
      else slot.hosts.set(h.host, copyHost(h));
    }
    this.stats.hostDeltas += frame.hosts.length;
    // A window counts as reported by the probe once its last part is in.
    if (!frame.moreParts && (this._lastReported.get(frame.probeId) ?? -Infinity) < frame.windowStart) {
      this._lastReported.set(frame.probeId, frame.windowStart);
    }
    return 'merged';
  }

  /** tick completes, in start order, every window all live probes have reported or whose grace is over. */
  tick(now: number): void {
    const starts = [...this._slots.keys()].sort((a, b) => a - b);
    for (const start of starts) {
      const graceOver = now >= start + this.windowMs * (1 + this.graceWindows);
      if (!graceOver && !this._allReported(start)) break;
      const slot = this._slots.get(start)!;
      this._slots.delete(start);
      this._pendingBytes -= slot.bytes;
      this._completedUpTo = start + this.windowMs;
      this.stats.windowsCompleted++;
      const sequences = new Map<string, number>();
      for (const [probe, seen] of slot.sequences) {
        const highest = Math.max(...seen);
        sequences.set(probe, highest);
        if (highest > (this._completedSequence.get(probe) ?? -1)) this._completedSequence.set(probe, highest);
      }
      this._onComplete({ start, length: this.windowMs, probes: [...slot.sequences.keys()], sequences, hosts: slot.hosts });
    }
  }

  private _allReported(start: number): boolean {
    if (this._alive.size === 0) return false;
    for (const probe of this._alive.keys()) if ((this._lastReported.get(probe) ?? -Infinity) < start) return false;
    return true;
  }

  /** pendingWindows is how many windows are held, waiting for probes. */
  pendingWindows(): number {
    return this._slots.size;
  }
}
