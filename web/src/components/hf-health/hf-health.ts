// <hf-health>: can the numbers be trusted? Findings in words first, then each probe's state (connected,
// lag, records/s, spool, windows missing) and each exporter's health. Refreshed once per pushed window.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { theme } from '../../theme.js';
import { getJson } from '../../fetch.js';
import { formatSI, formatExact, formatDuration, formatAge } from '../../format.js';
import type { WindowMessage } from '../../api.js';
import '../hf-exporters/hf-exporters.js';

interface ProbeRow {
  probe: string; connected: boolean; last_window: number; lag_ms: number; last_frame_at: number; records_per_s: number;
  spool_frames: number | null; spool_bytes: number | null; [k: string]: unknown;
}
interface Finding { severity: 'bad' | 'warn'; text: string }

/** findings puts what is wrong into words, worst first. */
export function findings(probes: ProbeRow[], missing: Map<string, number>, windowMs: number, exporters: Record<string, number | string>[]): Finding[] {
  const out: Finding[] = [];
  for (const p of probes) {
    if (!p.connected) out.push({ severity: 'bad', text: `probe ${p.probe} is not connected: its hosts are missing from the windows since ${new Date(p.last_window + windowMs).toISOString().slice(11, 19)} UTC` });
    else if (p.lag_ms > 3 * windowMs) out.push({ severity: 'warn', text: `probe ${p.probe} is ${formatDuration(p.lag_ms)} behind` });
    if ((missing.get(p.probe) ?? 0) > 0) out.push({ severity: 'warn', text: `probe ${p.probe} is missing ${missing.get(p.probe)} windows of the last hour (shown as gaps, not zeros)` });
    if (Number(p.uplink_frames_dropped ?? 0) > 0) out.push({ severity: 'bad', text: `probe ${p.probe} dropped ${p.uplink_frames_dropped} frames: its spool was full` });
  }
  for (const e of exporters) {
    const name = `exporter ${e.exporter} (probe ${e.probe})`;
    if (Number(e.sets_held_dropped) > 0) out.push({ severity: 'warn', text: `${name}: ${e.sets_held_dropped} data sets dropped waiting for their template` });
    if (Number(e.sequence_gaps) > 0) out.push({ severity: 'warn', text: `${name}: ${e.sequence_gaps} sequence gaps (export packets lost on the way)` });
    const rejected = Object.entries(e).filter(([k, v]) => k.startsWith('rejected_') && Number(v) > 0);
    if (rejected.length) out.push({ severity: 'bad', text: `${name}: rejected ${rejected.map(([k, v]) => `${v} ${k.slice(9).replace(/_/g, ' ')}`).join(', ')}` });
  }
  return out.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'bad' ? -1 : 1));
}

@customElement('hf-health')
export class HfHealth extends LitElement {
  static styles = [
    theme,
    css`
      :host { display: grid; grid-template-columns: minmax(0, 1fr); gap: 24px; }
      h2 { margin: 0 0 10px; font-size: 15px; font-weight: 600; }
      .scroll { overflow-x: auto; background: var(--hf-surface); border: 1px solid var(--hf-border); border-radius: 8px; }
      table { width: 100%; border-collapse: collapse; font-size: 13px; }
      th, td { padding: 6px 12px; text-align: right; white-space: nowrap; border-bottom: 1px solid var(--hf-border); font-variant-numeric: tabular-nums; }
      th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
      thead th { color: var(--hf-muted); font-weight: 500; }
      ul { margin: 0; padding: 0; list-style: none; display: grid; gap: 6px; }
      li { padding: 8px 12px; border-radius: 6px; font-size: 13px; }
      li.bad { background: var(--hf-bad-bg); color: var(--hf-bad); }
      li.warn { background: var(--hf-warn-bg); color: var(--hf-warn); }
      li.ok { background: var(--hf-ok-bg); color: var(--hf-ok); }
      .state-ok { color: var(--hf-ok); } .state-bad { color: var(--hf-bad); }
      .empty { padding: 12px; color: var(--hf-muted); }
    `,
  ];

  @property({ attribute: false }) window: WindowMessage | null = null;
  @property({ type: Number }) windowMs = 10_000;
  @state() private probes: ProbeRow[] | null = null;
  @state() private missing = new Map<string, number>();
  @state() private exporters: Record<string, number | string>[] = [];
  @state() private error = '';
  private fetchedFor = -2;

  protected willUpdate(_changed: PropertyValues<this>): void {
    const start = this.window?.start ?? -1;
    if (start === this.fetchedFor) return;
    this.fetchedFor = start;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const [p, e] = await Promise.all([getJson('/api/probes'), getJson('/api/exporters')]);
      const to = Math.floor(Date.now() / this.windowMs) * this.windowMs - this.windowMs;
      const missing = new Map<string, number>();
      await Promise.all((p.probes as ProbeRow[]).map(async (probe) => {
        const w = await getJson(`/api/probes/${encodeURIComponent(probe.probe)}/windows?from=${Math.max(probe.last_frame_at - 3_600_000, to - 3_600_000)}&to=${to}`);
        // Windows before the probe's first frame are not missing; count the runs after the first reported one.
        const runs = (w.missing as [number, number][]).filter(([a]) => w.reported > 0 && a > (w.from as number));
        missing.set(probe.probe, runs.reduce((n, [a, b]) => n + (b - a) / this.windowMs, 0));
      }));
      this.probes = p.probes;
      this.exporters = e.exporters;
      this.missing = missing;
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  render() {
    const list = this.probes ? findings(this.probes, this.missing, this.windowMs, this.exporters) : [];
    return html`
      <section aria-labelledby="findings">
        <h2 id="findings">Findings</h2>
        ${this.error ? html`<p class="empty" role="alert">Health unavailable: ${this.error}</p>` : nothing}
        <ul data-testid="findings">
          ${this.probes && list.length === 0 ? html`<li class="ok">✓ nothing wrong: every probe is connected and on time, no exporter reports errors</li>` : nothing}
          ${list.map((f) => html`<li class=${f.severity}>${f.severity === 'bad' ? '✕' : '!'} ${f.text}</li>`)}
        </ul>
      </section>
      <section aria-labelledby="probes-heading">
        <h2 id="probes-heading">Probes</h2>
        <div class="scroll">
          ${this.probes === null ? html`<p class="empty">loading…</p>` : this.probes.length === 0 ? html`<p class="empty">No probe has connected yet: start one with <code>hostflow probe --merger ws://THIS-HOST:PORT/probe</code> and point an exporter at it.</p>` : html`
          <table data-testid="probes">
            <thead><tr><th scope="col">probe</th><th scope="col">state</th><th scope="col">last frame</th><th scope="col">lag</th><th scope="col">records/s</th><th scope="col">windows missing (1 h)</th><th scope="col">frames queued</th><th scope="col">spool</th></tr></thead>
            <tbody>${this.probes.map((p) => html`<tr data-probe=${p.probe}>
              <td>${p.probe}</td>
              <td class=${p.connected ? 'state-ok' : 'state-bad'} data-testid="probe-state">${p.connected ? '● connected' : '✕ disconnected'}</td>
              <td>${formatAge(Date.now() - p.last_frame_at)}</td>
              <td>${formatDuration(p.lag_ms)}</td>
              <td title=${formatExact(p.records_per_s)}>${formatSI(p.records_per_s)}</td>
              <td data-testid="missing">${formatExact(this.missing.get(p.probe) ?? 0)}</td>
              <td>${p.spool_frames === null ? '—' : formatExact(p.spool_frames)}</td>
              <td>${p.spool_bytes === null ? '—' : formatSI(p.spool_bytes, 'B')}</td>
            </tr>`)}</tbody>
          </table>`}
        </div>
      </section>
      <hf-exporters .window=${this.window}></hf-exporters>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'hf-health': HfHealth }
}
