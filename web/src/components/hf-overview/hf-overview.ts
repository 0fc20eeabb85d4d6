// <hf-overview>: is anything wrong right now, and who is doing it? Network totals of the last window, their
// last hour as time series (fetched once, then appended from each pushed window), the top hosts by any
// statistic, and the probes that reported.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { theme } from '../../theme.js';
import { getJson } from '../../fetch.js';
import { formatDuration } from '../../format.js';
import type { Metric, WindowMessage } from '../../api.js';
import type { ChartSeries } from '../hf-chart/hf-chart.js';
import '../hf-totals/hf-totals.js';
import '../hf-top-hosts/hf-top-hosts.js';
import '../hf-chart/hf-chart.js';

const HISTORY_MS = 3_600_000;
const MAX_POINTS = 2000; // A ring: at most this many windows kept, so a wall display stays flat over days.

/** The network totals series, as /api/totals gives them: one column per figure, null where no window was written. */
const FIGURES = ['flows', 'packets', 'bytes', 'hosts'] as const;
type Totals = { ts: number[] } & Record<(typeof FIGURES)[number], (number | null)[]>;

/** mapTotals makes a Totals of f applied to each column. */
const mapTotals = (t: Totals, f: <T>(column: T[]) => T[]): Totals =>
  ({ ts: f(t.ts), ...Object.fromEntries(FIGURES.map((k) => [k, f(t[k])])) }) as Totals;

@customElement('hf-overview')
export class HfOverview extends LitElement {
  static styles = [
    theme,
    css`
      :host { display: grid; grid-template-columns: minmax(0, 1fr); gap: 24px; }
      .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }
      .state { color: var(--hf-muted); }
      .probes { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; font-size: 13px; }
      .probes h2 { font-size: 15px; margin: 0 8px 0 0; }
      .probe { padding: 3px 10px; border-radius: 999px; }
      .probe.ok { background: var(--hf-ok-bg); color: var(--hf-ok); }
      .probe.warn { background: var(--hf-warn-bg); color: var(--hf-warn); }
      .probe.bad { background: var(--hf-bad-bg); color: var(--hf-bad); }
    `,
  ];

  @property({ attribute: false }) window: WindowMessage | null = null;
  @property() sort!: Metric;
  @property({ type: Number }) windowMs = 10_000;
  @property() units: 'bits' | 'bytes' = 'bits';
  @state() private totals: Totals | null = null;
  @state() private error = '';
  private loaded = false;

  protected willUpdate(changed: PropertyValues<this>): void {
    if (!this.loaded && this.window) { this.loaded = true; void this.load(this.window); return; }
    if (changed.has('window') && this.window && this.totals) this.appendWindow(this.window);
  }

  private async load(w: WindowMessage): Promise<void> {
    try {
      const to = w.start + w.length;
      const t = await getJson(`/api/totals?from=${to - HISTORY_MS}&to=${to}&step=${w.length}`);
      // From the first window written: a merger that started ten minutes ago shows ten minutes.
      const first = Math.max(0, (t.flows as (number | null)[]).findIndex((v) => v !== null));
      this.totals = mapTotals(t as Totals, (column) => column.slice(first));
      if (this.window && this.window.start > w.start) this.appendWindow(this.window);
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  /** appendWindow adds a pushed window (or fills its slot), without another request. */
  private appendWindow(w: WindowMessage): void {
    const t = this.totals!;
    const last = t.ts[t.ts.length - 1] ?? -Infinity;
    if (w.start < last) return;
    const next = mapTotals(t, (column) => [...column]);
    const push = (ts: number, value: (k: (typeof FIGURES)[number]) => number | null) => {
      next.ts.push(ts);
      for (const k of FIGURES) next[k].push(value(k));
    };
    if (Number.isFinite(last)) for (let ts = last + w.length; ts < w.start; ts += w.length) push(ts, () => null); // Windows never pushed: gaps.
    if (w.start === last) for (const column of [next.ts, ...FIGURES.map((k) => next[k])]) column.pop(); // The slot filled again.
    push(w.start, (k) => w.totals[k]);
    const cut = Math.max(0, next.ts.length - MAX_POINTS);
    this.totals = cut ? mapTotals(next, (column) => column.slice(cut)) : next;
  }

  private line(label: string, values: (number | null)[], k: number, colour: string): ChartSeries[] {
    return [{ label, values: values.map((v) => (v === null ? null : v * k)), colour }];
  }

  /** probesStrip: each probe with an icon and a word: on time, late (its lag), or disconnected. */
  private probesStrip() {
    const states = this.window?.probeStates ?? [];
    if (!this.window) return nothing;
    return html`<section class="probes" aria-label="Probes" data-testid="probes-strip">
      <h2>Probes</h2>
      ${states.length === 0 ? html`<span class="state">none has reported yet</span>` : nothing}
      ${states.map((p) => {
        const [tone, text] = !p.connected ? ['bad', '✕ disconnected'] : p.in_window && p.lag_ms <= 3 * this.windowMs ? ['ok', '● on time'] : ['warn', `! ${formatDuration(p.lag_ms)} behind`];
        return html`<a class="probe ${tone}" href="/health" data-probe=${p.probe} title="lag ${formatDuration(p.lag_ms)}">${p.probe}: ${text}</a>`;
      })}
    </section>`;
  }

  render() {
    const t = this.totals;
    const perS = 1000 / this.windowMs;
    const sub = `per ${this.windowMs / 1000} s window, last hour`;
    return html`
      <hf-totals .window=${this.window} .units=${this.units}></hf-totals>
      <section class="charts" aria-label="Network totals over the last hour" data-testid="totals-charts" data-points=${t?.ts.length ?? 0}>
        ${this.error ? html`<p class="state" role="alert">Totals unavailable: ${this.error}</p>` : nothing}
        ${t ? html`
          ${this.units === 'bytes'
            ? html`<hf-chart caption="Throughput" unit="B/s" .subtitle=${sub} .ts=${t.ts} .series=${this.line('bytes/s', t.bytes, perS, '#0072b2')}></hf-chart>`
            : html`<hf-chart caption="Throughput" unit="bit/s" .subtitle=${sub} .ts=${t.ts} .series=${this.line('bits/s', t.bytes, 8 * perS, '#0072b2')}></hf-chart>`}
          <hf-chart caption="Packets" unit="packets/s" .subtitle=${sub} .ts=${t.ts} .series=${this.line('packets/s', t.packets, perS, '#009e73')}></hf-chart>
          <hf-chart caption="Flows" unit="flows/s" .subtitle=${sub} .ts=${t.ts} .series=${this.line('flows/s', t.flows, perS, '#e69f00')}></hf-chart>
          <hf-chart caption="Active hosts" unit="" .subtitle=${sub} .ts=${t.ts} .series=${this.line('hosts', t.hosts, 1, '#cc79a7')}></hf-chart>
        ` : this.window ? html`<p class="state">loading the last hour…</p>` : nothing}
      </section>
      ${this.probesStrip()}
      <hf-top-hosts .window=${this.window} .sort=${this.sort}></hf-top-hosts>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'hf-overview': HfOverview }
}
