// <hf-heatmap>: one prefix as a grid of its child prefixes (16 bits deeper: an IPv4 /16 as its 65,536 hosts,
// third octet by fourth), coloured by a statistic on a log scale. Click or Enter zooms in 8 bits (a host
// opens its detail), the wheel zooms in and out, Backspace goes up; hover and the focus cell say the figures.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { theme } from '../../theme.js';
import { rampTable, makeScale, decadeTicks, type Scale } from '../../colour.js';
import { cellPrefix, cellIndex, contains, parseAddress, narrower, formatPrefix, gridColumns, isHost, prefixLength, zoomInto, ancestors, formatAddress, cellLength, type Prefix } from '../../prefix.js';
import { formatSI, formatExact } from '../../format.js';
import { getBytes } from '../../fetch.js';
import { STAT_LABELS, DISTINCT_STATS, HEATMAP_STATS } from '../../stats.js';
import { navigateTo, changeParams } from '../../events.js';
import { FetchController } from '../../controllers/fetch-controller.js';

const RAMP = rampTable();
const LIST_ROWS = 20;
const NO_DATA = 0xffe9e6e3; // Light grey (ABGR words): no host was seen in the cell.
const ZERO = 0xffffffff; // White: hosts seen, the statistic zero.

/** The grid as it came from /api/heatmap, made dense: NaN where no host was seen. */
export interface Grid {
  prefix: Prefix;
  columns: number;
  rows: number;
  values: Float32Array; // NaN: no host seen.
  hosts: ArrayLike<number>;
  from: number;
  to: number;
}

/** paintGrid maps every cell through the colour table into the pixels of a columns x rows image. */
function paintGrid(grid: Grid, scale: Scale, pixels: Uint32Array): void {
  const { values } = grid;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    pixels[i] = v !== v ? NO_DATA : v <= 0 ? ZERO : RAMP[scale.index(v)]!;
  }
}


@customElement('hf-heatmap')
export class HfHeatmap extends LitElement {
  static styles = [
    theme,
    css`
      :host { display: block; }
      .bar { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin-bottom: 10px; }
      nav ol { display: flex; gap: 4px; list-style: none; margin: 0; padding: 0; font-family: var(--hf-mono); font-size: 13px; }
      nav li + li::before { content: '›'; margin-right: 4px; color: var(--hf-muted); }
      nav a { color: var(--hf-accent); }
      label { font-size: 13px; color: var(--hf-muted); display: inline-flex; gap: 6px; align-items: center; }
      select, button { font: inherit; font-size: 13px; }
      .stage { position: relative; width: min(100%, 768px); aspect-ratio: 1; background: var(--hf-surface); border: 1px solid var(--hf-border); }
      canvas { position: absolute; inset: 0; width: 100%; height: 100%; image-rendering: pixelated; }
      canvas.grid:focus-visible { outline: 3px solid var(--hf-accent); outline-offset: 2px; }
      canvas.overlay { pointer-events: none; }
      .layout { display: grid; grid-template-columns: minmax(0, 768px) minmax(200px, 1fr); gap: 16px; align-items: start; }
      .side { display: grid; gap: 12px; font-size: 13px; }
      .legend canvas { position: static; width: 100%; height: 14px; display: block; }
      .ticks { display: flex; justify-content: space-between; color: var(--hf-muted); font-variant-numeric: tabular-nums; }
      .swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid var(--hf-border-strong); vertical-align: middle; margin-right: 4px; }
      .card { background: var(--hf-surface); border: 1px solid var(--hf-border); border-radius: 8px; padding: 10px 12px; }
      .mono { font-family: var(--hf-mono); }
      .state { color: var(--hf-muted); padding: 8px 0; }
      .error { color: var(--hf-bad); }
      .dim { opacity: 0.5; }
      details table { width: 100%; border-collapse: collapse; margin-top: 6px; font-variant-numeric: tabular-nums; }
      details th, details td { text-align: right; padding: 2px 6px; border-top: 1px solid var(--hf-border); }
      details th:first-child, details td:first-child { text-align: left; }
      details a { color: var(--hf-accent); }
      @media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
    `,
  ];

  @property({ attribute: false }) cidr!: Prefix;
  @property() metric = 'bytes_out';
  @property({ type: Number }) from = 0;
  @property({ type: Number }) to = 0;
  /** Bumped by the app on each live window: the grid is fetched again when the range is live. */
  @property({ type: Number }) tick = 0;
  @property({ type: Boolean }) live = false;
  @property({ type: Number }) windowMs = 10_000;
  /** The colour scale's top, when pinned (stepping window by window keeps colours comparable). */
  @property({ type: Number }) pinnedMax?: number;
  /** An address to mark (sel= in the URL: the host a detail page came from); it gets the focus cell. */
  @property() selected = '';

  @state() private grid?: Grid;
  @state() private hover = -1;
  @state() private focusCell = -1;
  private scale?: Scale; // Made once per grid: its top is a percentile, which takes a sort.
  private image?: ImageData;
  private offscreen?: OffscreenCanvas;
  private readonly fetcher = new FetchController<Grid>(this, (grid) => {
    this.grid = grid;
    this.scale = makeScale('log', grid.values, this.pinnedMax);
  });

  @query('canvas.grid') private canvas!: HTMLCanvasElement;
  @query('canvas.overlay') private overlay!: HTMLCanvasElement;
  @query('.legend canvas') private legendCanvas?: HTMLCanvasElement;

  protected willUpdate(changed: PropertyValues<this>): void {
    // A live window moves from and to as well: only a prefix or statistic of the analyst's choosing dims the grid while it loads.
    if (changed.has('pinnedMax') && this.grid) this.scale = makeScale('log', this.grid.values, this.pinnedMax);
    const asked = changed.has('cidr') || changed.has('metric');
    const fetchNeeded = asked || changed.has('from') || changed.has('to') || (changed.has('tick') && this.live);
    if (fetchNeeded && this.cidr) void this.load(changed.has('cidr'), !asked && this.live);
  }

  private load(newPrefix: boolean, quiet = false): Promise<void> {
    if (newPrefix) { this.hover = -1; this.focusCell = this.selectedCell(); }
    const { cidr, metric, from, to } = this;
    return this.fetcher.run(async (signal) => {
      const q = new URLSearchParams({ prefix: formatPrefix(cidr), metric, from: String(from), to: String(to), format: 'f32' });
      const body = await getBytes(`/api/heatmap?${q}`, signal);
      const count = 2 ** (cellLength(cidr) - cidr.len), columns = gridColumns(cidr);
      const hostCells = isHost(cellPrefix(cidr, 0));
      if (body.byteLength !== count * (hostCells ? 4 : 6)) throw new Error(`the grid has ${body.byteLength} bytes, not the ${count} cells asked for`);
      const values = new Float32Array(body, 0, count);
      // Host cells count one host where there is data; larger cells carry their host counts after the values.
      const hosts = hostCells ? values.map((v) => (v === v ? 1 : 0)) : new Uint16Array(body, count * 4, count);
      return { prefix: cidr, columns, rows: count / columns, values, hosts, from, to };
    }, quiet);
  }

  protected updated(changed: PropertyValues<this>): void {
    if ((changed.has('grid' as keyof HfHeatmap) || changed.has('pinnedMax')) && this.grid) this.draw();
    if (changed.has('hover' as keyof HfHeatmap) || changed.has('focusCell' as keyof HfHeatmap) || changed.has('grid' as keyof HfHeatmap)) this.drawOverlay();
  }

  /** draw paints the grid: one ImageData, one scaled drawImage with smoothing off. */
  draw(): void {
    const g = this.grid;
    if (!g || !this.canvas) return;
    const scale = (this.scale ??= makeScale('log', g.values, this.pinnedMax));
    const size = this.canvas.clientWidth * devicePixelRatio || 768;
    if (this.canvas.width !== size) { this.canvas.width = size; this.canvas.height = size; this.overlay.width = size; this.overlay.height = size; }
    if (this.image?.width !== g.columns || this.image.height !== g.rows) {
      this.image = new ImageData(g.columns, g.rows);
      this.offscreen = new OffscreenCanvas(g.columns, g.rows);
    }
    paintGrid(g, scale, new Uint32Array(this.image.data.buffer));
    this.offscreen!.getContext('2d')!.putImageData(this.image, 0, 0);
    const ctx = this.canvas.getContext('2d')!;
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.offscreen!, 0, 0, size, size);
    this.drawLegend();
  }

  private drawLegend(): void {
    const c = this.legendCanvas;
    if (!c) return;
    c.width = 256; c.height = 1;
    const img = new ImageData(256, 1);
    new Uint32Array(img.data.buffer).set(RAMP);
    c.getContext('2d')!.putImageData(img, 0, 0);
  }

  private drawOverlay(): void {
    const o = this.overlay, g = this.grid;
    if (!o || !g) return;
    const ctx = o.getContext('2d')!;
    ctx.clearRect(0, 0, o.width, o.height);
    const cw = o.width / g.columns, ch = o.height / g.rows;
    for (const [cell, colour] of [[this.hover, '#ff2d55'], [this.focusCell, '#0b5cad']] as const) {
      if (cell < 0) continue;
      ctx.strokeStyle = colour;
      ctx.lineWidth = Math.max(2, devicePixelRatio * 2);
      // A cell of a few pixels gets a ring around it, big enough to find.
      const x = (cell % g.columns) * cw, y = Math.floor(cell / g.columns) * ch, pad = cw < 8 ? 6 * devicePixelRatio : 0;
      ctx.strokeRect(x - pad, y - pad, Math.max(cw, 3) + 2 * pad, Math.max(ch, 3) + 2 * pad);
    }
  }

  /** cellAt is the cell under a pointer, by integer arithmetic. */
  private cellAt(ev: MouseEvent): number {
    const g = this.grid;
    if (!g) return -1;
    const r = this.canvas.getBoundingClientRect();
    const col = Math.floor(((ev.clientX - r.left) / r.width) * g.columns), row = Math.floor(((ev.clientY - r.top) / r.height) * g.rows);
    return col < 0 || row < 0 || col >= g.columns || row >= g.rows ? -1 : row * g.columns + col;
  }

  private navigate(url: string): void {
    navigateTo(this, url);
  }

  /** carry keeps the range (and for the map, the statistic) across zooms and into a host's detail. */
  private carry(keys: string[]): string {
    const now = new URLSearchParams(location.search), q = new URLSearchParams();
    for (const k of keys) { const v = now.get(k); if (v !== null) q.set(k, v); }
    const s = q.toString();
    return s ? `?v=1&${s}` : '';
  }

  private target(cell: number): string {
    const to = zoomInto(this.cidr, cell);
    return isHost(to) ? `/host/${formatAddress(to.addr, to.v4)}${this.carry(['from', 'to'])}` : this.mapUrl(to);
  }

  private mapUrl(p: Prefix): string {
    return `/map/${formatPrefix(p)}${this.carry(['from', 'to', 'metric'])}`;
  }

  private onWheel(ev: WheelEvent): void {
    ev.preventDefault();
    if (ev.deltaY < 0) {
      const cell = this.cellAt(ev);
      const to = cell >= 0 ? narrower(this.cidr, cell) : undefined;
      if (to) this.navigate(this.mapUrl(to));
    } else {
      const up = ancestors(this.cidr).pop();
      if (up) this.navigate(this.mapUrl(up));
    }
  }

  private onKey(ev: KeyboardEvent): void {
    const g = this.grid;
    if (!g) return;
    const c = this.focusCell < 0 ? 0 : this.focusCell;
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -g.columns, ArrowDown: g.columns };
    if (ev.key in moves) {
      ev.preventDefault();
      this.focusCell = Math.min(g.values.length - 1, Math.max(0, c + moves[ev.key]!));
    } else if (ev.key === 'Enter' && this.focusCell >= 0) {
      this.navigate(this.target(this.focusCell));
    } else if (ev.key === ',' || ev.key === '.') {
      this.step(ev.key === ',' ? -1 : 1);
    } else if (ev.key === 'Backspace' || ev.key === 'Escape') {
      const up = ancestors(this.cidr).pop();
      if (up) { ev.preventDefault(); this.navigate(this.mapUrl(up)); }
    }
  }

  /** selectedCell is the cell holding the selected address, or -1. */
  private selectedCell(): number {
    const a = parseAddress(this.selected);
    return a && contains(this.cidr, a.addr) ? cellIndex(this.cidr, a.addr) : -1;
  }

  /** colourBy puts the chosen statistic into the URL (bytes out, the default, as none). */
  private colourBy(metric: string): void {
    const q = new URLSearchParams(location.search);
    if (metric === 'bytes_out') q.delete('metric'); else q.set('metric', metric);
    changeParams(this, q);
  }

  /** step shows the window before or after the one shown (its first window, for a longer range), with the
   * colour scale's top pinned where it is, so that a scan moving across the prefix shows as it moves. */
  private step(direction: -1 | 1): void {
    const start = this.from + direction * this.windowMs;
    if (direction > 0 && start + this.windowMs > Date.now() - this.windowMs) return; // Not written yet.
    const q = new URLSearchParams(location.search);
    q.set('from', new Date(start).toISOString());
    q.set('to', new Date(start + this.windowMs).toISOString());
    if (this.scale && !q.has('max')) q.set('max', String(this.scale.max));
    changeParams(this, q);
  }

  private describe(cell: number): { name: string; value: string; hosts: string } | undefined {
    const g = this.grid;
    if (!g || cell < 0) return undefined;
    const p = cellPrefix(g.prefix, cell);
    const v = g.values[cell]!;
    const est = DISTINCT_STATS.has(this.metric) ? '≈ ' : '';
    return {
      name: isHost(p) ? formatAddress(p.addr, p.v4) : formatPrefix(p),
      value: v !== v ? 'no data' : `${est}${formatExact(v)} ${STAT_LABELS[this.metric] ?? this.metric}`,
      hosts: v !== v ? '' : `${formatExact(g.hosts[cell]!)} host${g.hosts[cell] === 1 ? '' : 's'}`,
    };
  }

  /** list is the grid's busiest cells as a table: the same data for a screen reader, or to copy. */
  private list(g: Grid) {
    const top: number[] = [];
    for (let i = 0; i < g.values.length; i++) if (g.values[i]! > 0) top.push(i);
    top.sort((a, b) => g.values[b]! - g.values[a]! || a - b);
    const est = DISTINCT_STATS.has(this.metric) ? '≈ ' : '';
    return html`<details class="card" data-testid="cell-list"><summary>Busiest ${Math.min(LIST_ROWS, top.length)} of ${formatExact(top.length)} cells with ${STAT_LABELS[this.metric] ?? this.metric}</summary>
      <table><thead><tr><th scope="col">cell</th><th scope="col">${STAT_LABELS[this.metric] ?? this.metric}</th><th scope="col">hosts</th></tr></thead>
      <tbody>${top.slice(0, LIST_ROWS).map((i) => {
        const p = cellPrefix(g.prefix, i);
        const name = isHost(p) ? formatAddress(p.addr, p.v4) : formatPrefix(p);
        return html`<tr><td class="mono"><a href=${this.target(i)}>${name}</a></td><td title=${formatExact(g.values[i]!)}>${est}${formatSI(g.values[i]!)}</td><td>${formatExact(g.hosts[i]!)}</td></tr>`;
      })}</tbody></table></details>`;
  }

  render() {
    if (!this.cidr) return nothing;
    const g = this.grid;
    const crumbs = [...ancestors(this.cidr), this.cidr];
    const shown = this.describe(this.hover >= 0 ? this.hover : this.focusCell);
    const focused = this.describe(this.focusCell);
    const cellLen = prefixLength({ ...this.cidr, len: cellLength(this.cidr) });
    const seen = g ? g.values.reduce((n, v) => (v === v ? n + 1 : n), 0) : 0;
    // Decades between the ends (an end that is a decade is not written twice).
    const ticks = this.scale && this.scale.kind === 'log' ? decadeTicks(this.scale.min, this.scale.max).filter((t) => t > this.scale!.min && t < this.scale!.max) : [];
    return html`
      <div class="bar">
        <nav aria-label="Prefix"><ol>
          ${crumbs.map((p, i) => html`<li>${i === crumbs.length - 1 ? html`<span aria-current="page" data-testid="current-prefix">${formatPrefix(p)}</span>` : html`<a href=${this.mapUrl(p)}>${formatPrefix(p)}</a>`}</li>`)}
        </ol></nav>
        <label>Colour by
          <select data-testid="heatmap-metric" .value=${this.metric} @change=${(e: Event) => this.colourBy((e.target as HTMLSelectElement).value)}>
            ${HEATMAP_STATS.map((m) => html`<option value=${m} ?selected=${m === this.metric}>${STAT_LABELS[m]}</option>`)}
          </select>
        </label>
        <span role="group" aria-label="Step through windows">
          <button data-testid="window-earlier" title="the window before (key ,); the colour scale stays pinned" @click=${() => this.step(-1)}>◀ window</button>
          <button data-testid="window-later" title="the window after (key .)" @click=${() => this.step(1)}>window ▶</button>
        </span>
        ${this.pinnedMax ? html`<span class="state" data-testid="pinned">scale pinned at ${formatSI(this.pinnedMax)}</span>` : nothing}
        ${this.fetcher.loading ? html`<span class="state" role="status">loading…</span>` : nothing}
      </div>
      ${this.fetcher.error ? html`<div class="card error" role="alert">Could not load the heatmap: ${this.fetcher.error} <button @click=${() => this.load(false)}>Retry</button></div>` : nothing}
      <div class="layout">
        <div class="stage ${this.fetcher.loading ? 'dim' : ''}">
          <canvas class="grid" tabindex="0" data-testid="heatmap" data-cells=${g ? g.values.length : 0} data-seen=${seen}
            aria-label="Heatmap of ${formatPrefix(this.cidr)}: ${g ? `${g.columns} by ${g.rows} cells of /${cellLen}, ${seen} with data` : 'loading'}. Arrow keys move, Enter opens, Backspace goes up."
            @mousemove=${(e: MouseEvent) => { this.hover = this.cellAt(e); }} @mouseleave=${() => { this.hover = -1; }}
            @click=${(e: MouseEvent) => { const c = this.cellAt(e); if (c >= 0 && g && g.values[c] === g.values[c]) this.navigate(this.target(c)); }}
            @wheel=${this.onWheel} @keydown=${this.onKey}></canvas>
          <canvas class="overlay" aria-hidden="true"></canvas>
        </div>
        <div class="side">
          <div class="card" data-testid="cell-info">
            ${shown ? html`<div class="mono">${shown.name}</div><div>${shown.value}</div><div>${shown.hosts}</div>` : html`<div class="state">Hover or focus a cell for its figures.</div>`}
          </div>
          <div class="card legend">
            <div>${STAT_LABELS[this.metric] ?? this.metric}, sum over the range, log scale</div>
            <canvas aria-hidden="true"></canvas>
            <div class="ticks">${this.scale ? html`<span>${formatSI(this.scale.min)}</span>${ticks.slice(0, 5).map((t) => html`<span>${formatSI(t)}</span>`)}<span>≥ ${formatSI(this.scale.max)}</span>` : nothing}</div>
            <div><span class="swatch" style="background:#fff"></span>zero <span class="swatch" style="background:#e3e6e9"></span>no data</div>
            <div style="color:var(--hf-muted)">${g ? `${new Date(g.from).toISOString().slice(11, 19)}–${new Date(g.to).toISOString().slice(11, 19)} UTC` : ''}</div>
          </div>
          ${g && seen === 0 && !this.fetcher.loading ? html`<div class="card state" data-testid="heatmap-empty">No data for ${formatPrefix(this.cidr)} in this range.</div>` : nothing}
          ${g && seen > 0 ? this.list(g) : nothing}
        </div>
      </div>
      <div class="sr-only" role="status" aria-live="polite">${focused ? `${focused.name}, ${focused.value}` : ''}</div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap { 'hf-heatmap': HfHeatmap }
}
