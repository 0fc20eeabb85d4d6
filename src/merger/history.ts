/** In-memory history of completed windows, bounded by age and by bytes. DuckDB replaces it (issue 6). */
import { hostBytes, type CompletedWindow } from './merge.js';

/** windowBytes estimates the memory a completed window holds. */
function windowBytes(w: CompletedWindow): number {
  let bytes = 0;
  for (const s of w.hosts.values()) bytes += hostBytes(s);
  return bytes;
}

/** MemoryHistory keeps completed windows in start order. */
export class MemoryHistory {
  private readonly _windows: { w: CompletedWindow; bytes: number }[] = [];
  private _rows = 0;
  private _bytes = 0;
  evictedWindows = 0;

  constructor(private readonly _retentionMs: number, private readonly _maxBytes: number) {}

  /** add appends a completed window and drops what is past retention or over the byte budget (never the newest). */
  add(w: CompletedWindow): void {
    const bytes = windowBytes(w);
    this._windows.push({ w, bytes });
    this._rows += w.hosts.size;
    this._bytes += bytes;
    const oldest = w.start - this._retentionMs;
    while (this._windows.length > 1 && (this._windows[0].w.start < oldest || this._bytes > this._maxBytes)) {
      const gone = this._windows.shift()!;
      this._rows -= gone.w.hosts.size;
      this._bytes -= gone.bytes;
      this.evictedWindows++;
    }
  }

  /** latest is the newest complete window. */
  latest(): CompletedWindow | undefined {
    return this._windows[this._windows.length - 1]?.w;
  }

  /** between returns the windows that start in [from, to). */
  between(from: number, to: number): CompletedWindow[] {
    return this._windows.filter(({ w }) => w.start >= from && w.start < to).map(({ w }) => w);
  }

  get windowCount(): number {
    return this._windows.length;
  }

  get rowCount(): number {
    return this._rows;
  }

  /** byteCount is the estimated memory held. */
  get byteCount(): number {
    return this._bytes;
  }
}
