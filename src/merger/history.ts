/** In-memory history of completed windows, bounded by age and by host rows. DuckDB replaces it (issue 6). */
import type { CompletedWindow } from './merge.js';

/** MemoryHistory keeps completed windows in start order. */
export class MemoryHistory {
  private readonly _windows: CompletedWindow[] = [];
  private _rows = 0;
  evictedWindows = 0;

  constructor(private readonly _retentionMs: number, private readonly _maxRows: number) {}

  /** add appends a completed window and drops what is past retention or over the row budget. */
  add(w: CompletedWindow): void {
    this._windows.push(w);
    this._rows += w.hosts.size;
    const oldest = w.start - this._retentionMs;
    while (this._windows.length > 1 && (this._windows[0].start < oldest || this._rows > this._maxRows)) {
      this._rows -= this._windows.shift()!.hosts.size;
      this.evictedWindows++;
    }
  }

  /** latest is the newest complete window. */
  latest(): CompletedWindow | undefined {
    return this._windows[this._windows.length - 1];
  }

  /** between returns the windows that start in [from, to). */
  between(from: number, to: number): CompletedWindow[] {
    return this._windows.filter((w) => w.start >= from && w.start < to);
  }

  get windowCount(): number {
    return this._windows.length;
  }

  get rowCount(): number {
    return this._rows;
  }
}
