// <hf-chart>: one time chart (uPlot on a canvas) of a few series sharing one unit. Nulls are gaps, never
// zeros; series marked `below` are drawn under the axis (in, against out above); the cursor is synced
// across every chart of a page; a table under it gives min, avg, max, last and total per series.
import { LitElement, css, html, unsafeCSS, nothing, type PropertyValues } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css';
import { theme } from '../../theme.js';
import { formatSI, formatExact } from '../../format.js';
import { clock, dayClock, zoneLabel, PrefsController } from '../../prefs.js';

export interface ChartSeries {
  label: string;
  values: (number | null)[]; // Per second, one per ts.
  colour: string;
  dash?: number[];
  below?: boolean; // Drawn as negative values: the in direction.
  total?: number | null; // Over the range, in the unit without "/s" (undefined: not summable, e.g. distinct counts).
}

const SYNC = uPlot.sync('hostflow');

@customElement('hf-chart')
export class HfChart extends LitElement {
  static styles = [
    theme,
    unsafeCSS(uplotCss),
    css`
      :host { display: block; }
      figure { margin: 0; background: var(--hf-surface); border: 1px solid var(--hf-border); border-radius: 8px; padding: 10px 12px; }
      figcaption { font-size: 13px; font-weight: 600; margin-bottom: 4px; }
      figcaption span { font-weight: 400; color: var(--hf-muted); }
      table { width: 100%; border-collapse: collapse; font-size: 12px; margin-top: 6px; font-variant-numeric: tabular-nums; }
      th, td { padding: 2px 8px; text-align: right; border-top: 1px solid var(--hf-border); white-space: nowrap; }
      th:first-child, td:first-child { text-align: left; }
      thead th { color: var(--hf-muted); font-weight: 500; }
      .key { display: inline-block; width: 14px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 6px; }
      .key.dash { border-top-style: dashed; }
      .empty { color: var(--hf-muted); padding: 24px 0; text-align: center; }
    `,
  ];

  @property() caption = '';
  @property() unit = ''; // e.g. "bit/s".
  @property() subtitle = '';
  @property({ attribute: false }) ts: number[] = [];
  @property({ attribute: false }) series: ChartSeries[] = [];
  @query('.plot') private plotEl!: HTMLDivElement;
  private plot?: uPlot;
  private shape = ''; // The series' labels the plot was made for: the same ones take new data without a rebuild.
  /** Renders again when a viewer preference changes. */
  readonly prefsWatch = new PrefsController(this, () => this.plot?.redraw(false, true)); // The axis' clock.
  // The plot takes its container's width, also when the layout settles after it was made.
  private readonly resize = new ResizeObserver(() => {
    const w = this.plotEl?.clientWidth;
    if (this.plot && w && Math.abs(w - this.plot.width) > 1) this.plot.setSize({ width: w, height: this.plot.height });
  });

  firstUpdated(): void {
    this.resize.observe(this.plotEl);
  }

  connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasUpdated) return;
    this.resize.observe(this.plotEl); // Moved in the page: observe again and draw again (the plot went with the disconnect).
    this.requestUpdate('series');
  }

  protected updated(changed: PropertyValues<this>): void {
    if (!changed.has('series') && !changed.has('ts')) return;
    const data: uPlot.AlignedData = [this.ts.map((t) => t / 1000), ...this.series.map((s) => s.values.map((v) => (v === null ? null : s.below ? -v : v)))];
    const shape = this.series.map((s) => s.label).join('|');
    if (this.plot && this.shape === shape) {
      this.plot.setData(data); // New windows: no rebuild, the scales follow.
      return;
    }
    this.plot?.destroy();
    if (this.ts.length === 0 || this.series.length === 0) return;
    const width = Math.max(200, this.plotEl.clientWidth || 300);
    const fmt = (v: number) => formatSI(Math.abs(v), this.unit);
    const tick = (v: number) => formatSI(Math.abs(v)); // The unit is in the caption: axis labels stay short.
    this.plot = new uPlot({
      width, height: 160,
      cursor: { sync: { key: SYNC.key } },
      legend: { show: false },
      scales: { x: { time: true } },
      axes: [
        // Seconds on the clock for ticks a few seconds apart; the date as well over more than a day.
        { values: (u, ticks) => {
          const span = u.scales.x!.max! - u.scales.x!.min!;
          return ticks.map((t) => (span > 129_600 ? dayClock(t * 1000) : clock(t * 1000).slice(0, span < 900 ? 8 : 5)));
        } },
        { size: 56, values: (_u, ticks) => ticks.map(tick) },
      ],
      // Few points with gaps between them draw no line: show each point then, so a lone window is seen.
      series: [{}, ...this.series.map((s) => ({
        label: s.label, stroke: s.colour, dash: s.dash, width: 1.5, spanGaps: false,
        points: s.values.filter((v) => v !== null).length <= 120 ? { show: true, size: 5, fill: s.colour } : {},
        value: (_u: uPlot, v: number | null) => (v === null ? 'no data' : fmt(v)),
      }))],
    }, data, this.plotEl);
    this.shape = shape;
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  private stats(s: ChartSeries) {
    const vs = s.values.filter((v): v is number => v !== null);
    if (vs.length === 0) return undefined;
    const sum = vs.reduce((a, b) => a + b, 0);
    return { min: Math.min(...vs), avg: sum / vs.length, max: Math.max(...vs), last: vs[vs.length - 1]! };
  }

  render() {
    const empty = this.ts.length === 0;
    return html`
      <figure aria-label="${this.caption}, ${this.subtitle}">
        <figcaption>${this.caption}${this.unit ? `, ${this.unit}` : ''}${this.series.some((s) => s.below) ? ' (out above, in below)' : ''} <span>${this.subtitle}, times ${zoneLabel(this.ts[0])}</span></figcaption>
        ${empty ? html`<div class="empty">No data for this range.</div>` : nothing}
        <div class="plot"></div>
        ${empty ? nothing : html`<table data-testid="chart-table">
          <thead><tr><th>series</th><th>min</th><th>avg</th><th>max</th><th>last</th><th>total${this.unit.endsWith('/s') ? ` (${this.unit.slice(0, -2)})` : ''}</th></tr></thead>
          <tbody>${this.series.map((s) => {
            const st = this.stats(s);
            // Figures without their unit: the caption says it once.
            const cell = (v: number | undefined) => html`<td title=${v === undefined ? '' : `${formatExact(v)} ${this.unit}`}>${v === undefined ? '—' : formatSI(v)}</td>`;
            return html`<tr data-series=${s.label}><td><span class="key ${s.dash ? 'dash' : ''}" style="color:${s.colour}"></span>${s.label}</td>
              ${cell(st?.min)}${cell(st?.avg)}${cell(st?.max)}${cell(st?.last)}
              <td data-total=${s.total ?? ''} title=${s.total == null ? '' : formatExact(s.total)}>${s.total == null ? '—' : formatSI(s.total)}</td></tr>`;
          })}</tbody></table>`}
      </figure>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'hf-chart': HfChart }
}
