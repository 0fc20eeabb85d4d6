// Viewer preferences: kept in localStorage, since they change how a view reads, not what a link shows.
// Times show in local time with its UTC offset, or in UTC (CSIRTs correlate with UTC logs).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { formatClock } from './format.js';

const UTC_KEY = 'hostflow.utc';
const EVENT = 'hostflow-prefs';

function stored(key: string): string | null {
  try { return localStorage.getItem(key); } catch { return null; } // Storage can be off (privacy modes).
}

export const prefs = { utc: stored(UTC_KEY) === '1' };

export function setUtc(utc: boolean): void {
  prefs.utc = utc;
  try { localStorage.setItem(UTC_KEY, utc ? '1' : '0'); } catch { /* For this page only, then. */ }
  window.dispatchEvent(new Event(EVENT));
}

/** clock is "HH:MM:SS" in the chosen zone. */
export const clock = (epochMs: number): string => formatClock(epochMs, prefs.utc);

/** dayClock is "MM-DD HH:MM" in the chosen zone, for axes over days. */
export function dayClock(epochMs: number): string {
  const d = new Date(epochMs), p = (n: number) => String(n).padStart(2, '0');
  return prefs.utc ? `${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`
    : `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** zoneLabel names the zone clock() uses: "UTC", or the local offset as "UTC+01:00". */
export function zoneLabel(at = Date.now()): string {
  if (prefs.utc) return 'UTC';
  const off = -new Date(at).getTimezoneOffset();
  const h = String(Math.floor(Math.abs(off) / 60)).padStart(2, '0'), m = String(Math.abs(off) % 60).padStart(2, '0');
  return `UTC${off < 0 ? '-' : '+'}${h}:${m}`;
}

/** PrefsController renders its element again when a preference changes (and calls onChange, for canvases). */
export class PrefsController implements ReactiveController {
  private readonly changed = () => { this.host.requestUpdate(); this.onChange?.(); };

  constructor(private readonly host: ReactiveControllerHost, private readonly onChange?: () => void) {
    host.addController(this);
  }

  hostConnected(): void { window.addEventListener(EVENT, this.changed); }
  hostDisconnected(): void { window.removeEventListener(EVENT, this.changed); }
}
