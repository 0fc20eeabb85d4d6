// <hf-host>: what one host is doing: throughput, packets, flows by protocol, TCP flags and fan-out as small
// multiples on one time axis, out above and in below; a range and a granularity picker (auto picks the level
// that fits the range); live while the range ends now; other hosts compared with dashed lines.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { theme } from '../../theme.js';
import { getJson } from '../../fetch.js';
import { changeParams } from '../../events.js';
import { FetchController } from '../../controllers/fetch-controller.js';
import { formatSI, formatExact, formatDuration } from '../../format.js';
import { timeRange, stepFor, PRESETS, GRANULARITIES, type Granularity } from '../../route.js';
import { parsePrefix, formatPrefix } from '../../prefix.js';
import type { ChartSeries } from '../hf-chart/hf-chart.js';
import '../hf-chart/hf-chart.js';

/** Series is GET /api/hosts/IP/series: ts and one column per statistic, null where nothing was written. */
type Series = { host: string; from: number; to: number; step: number; level: string; ts: number[] } & Record<string, (number | null)[]>;

// A fixed, colour-vision-safe palette (Okabe-Ito): one colour per series role, hosts told apart by dashes.
const C = { out: '#0072b2', in: '#d55e00', tcp: '#0072b2', udp: '#e69f00', icmp: '#009e73', other: '#cc79a7', syn: '#0072b2', ack: '#009e73', rst: '#d55e00', fin: '#cc79a7' };
const DASHES = [undefined, [6, 4], [2, 3], [10, 3, 2, 3], [1, 5]];
const MAX_COMPARE = 4;

interface ChartDef { caption: string; unit: string; distinct?: boolean; lines: { field: string; label: string; colour: string; below?: boolean; scale?: number }[] }
const CHARTS: ChartDef[] = [
  { caption: 'Throughput', unit: 'bit/s', lines: [{ field: 'bytes_out', label: 'out', colour: C.out, scale: 8 }, { field: 'bytes_in', label: 'in', colour: C.in, below: true, scale: 8 }] },
  { caption: 'Packets', unit: 'packets/s', lines: [{ field: 'packets_out', label: 'out', colour: C.out }, { field: 'packets_in', label: 'in', colour: C.in, below: true }] },
  { caption: 'Fan-out', unit: '', distinct: true, lines: [{ field: 'peers_out', label: 'peers out', colour: C.out }, { field: 'peers_in', label: 'peers in', colour: C.in }, { field: 'dst_ports_out', label: 'dst ports out', colour: C.udp }, { field: 'local_ports_in', label: 'local ports in', colour: C.icmp }] },
  { caption: 'Flows by protocol, out', unit: 'flows/s', lines: (['tcp', 'udp', 'icmp', 'other'] as const).map((p) => ({ field: `flows_${p}_out`, label: p.toUpperCase(), colour: C[p] })) },
  { caption: 'Flows by protocol, in', unit: 'flows/s', lines: (['tcp', 'udp', 'icmp', 'other'] as const).map((p) => ({ field: `flows_${p}_in`, label: p.toUpperCase(), colour: C[p] })) },
  { caption: 'TCP flags, out', unit: 'flows/s', lines: (['syn', 'ack', 'rst', 'fin'] as const).map((f) => ({ field: `tcp_${f}_out`, label: f.toUpperCase(), colour: C[f] })) },
  { caption: 'TCP flags, in', unit: 'flows/s', lines: (['syn', 'ack', 'rst', 'fin'] as const).map((f) => ({ field: `tcp_${f}_in`, label: f.toUpperCase(), colour: C[f] })) },
];

const sum = (a: (number | null)[] | undefined) => (a ?? []).reduce<number>((n, v) => n + (v ?? 0), 0);

@customElement('hf-host')
export class HfHost extends LitElement {
  static styles = [
    theme,
    css`
      :host { display: block; }
      header { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; position: sticky; top: 0; background: var(--hf-bg); padding: 8px 0; z-index: 2; }
      h2 { margin: 0; font-family: var(--hf-mono); font-size: 20px; }
      .controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 8px 0 16px; font-size: 13px; }
      .controls button[aria-pressed='true'] { background: var(--hf-accent); color: #fff; border-color: var(--hf-accent); }
      button, select, input { font: inherit; font-size: 13px; }
      button { border: 1px solid var(--hf-border-strong); background: var(--hf-surface); border-radius: 4px; padding: 2px 8px; cursor: pointer; }
      button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid var(--hf-accent); outline-offset: 1px; }
      .figures { display: flex; gap: 20px; flex-wrap: wrap; font-size: 13px; color: var(--hf-muted); }
      .figures b { color: var(--hf-fg); font-variant-numeric: tabular-nums; }
      .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
      .state { color: var(--hf-muted); padding: 12px 0; }
      .error { color: var(--hf-bad); padding: 12px; background: var(--hf-bad-bg); border-radius: 8px; }
      .dim { opacity: 0.55; }
      .mono { font-family: var(--hf-mono); }
      .notice { color: var(--hf-warn); }
    `,
  ];

  @property() host = '';
  @property({ attribute: false }) params = new URLSearchParams();
  @property({ type: Number }) windowMs = 10_000;
  @property({ type: Number }) tick = 0;
  @property() units: 'bits' | 'bytes' = 'bits';

  @state() private data: Series[] = [];
  @state() private compareText = '';
  @state() private copied = false;
  @state() private linkText = ''; // The link, shown to copy by hand where the clipboard is not available.
  @state() private compareError = '';
  private readonly fetcher = new FetchController<Series[]>(this, (data) => { this.data = data; });

  private get gran(): Granularity {
    const g = this.params.get('gran') as Granularity | null;
    return g && GRANULARITIES.includes(g) ? g : 'auto';
  }

  private get compared(): string[] {
    return this.comparedAsked.filter((h) => parsePrefix(h)?.len === 128 && h !== this.host).slice(0, MAX_COMPARE);
  }

  private get comparedAsked(): string[] {
    return (this.params.get('cmp') ?? '').split(',').filter(Boolean);
  }

  /** compareNotice says what of cmp= is not drawn, and why. */
  private compareNotice(): string {
    const bad = this.comparedAsked.filter((h) => parsePrefix(h)?.len !== 128);
    const extra = this.comparedAsked.filter((h) => h !== this.host).length - bad.length - this.compared.length;
    return [bad.length ? `not addresses, not compared: ${bad.join(', ').slice(0, 80)}` : '', extra > 0 ? `at most ${MAX_COMPARE} hosts are compared: ${extra} left out` : ''].filter(Boolean).join('; ');
  }

  private range() {
    const r = timeRange(this.params, Date.now(), this.windowMs);
    return { ...r, ...stepFor(r.to - r.from, this.gran, this.windowMs) };
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    const live = timeRange(this.params, Date.now(), this.windowMs).live;
    const asked = changed.has('host') || changed.has('params') || changed.has('windowMs');
    if (asked || (changed.has('tick') && live)) void this.load(!asked);
  }

  /** load fetches the series; a live refresh keeps the charts as they are meanwhile (no dimming each window). */
  private load(quiet = false): Promise<void> {
    const r = this.range(), hosts = [this.host, ...this.compared];
    const q = `from=${r.from}&to=${r.to}&step=${r.step}`;
    return this.fetcher.run((signal) => Promise.all(hosts.map((h) => getJson<Series>(`/api/hosts/${encodeURIComponent(h)}/series?${q}`, signal))), quiet);
  }

  private change(updates: Record<string, string | undefined>): void {
    const p = new URLSearchParams(this.params);
    for (const [k, v] of Object.entries(updates)) if (v === undefined) p.delete(k); else p.set(k, v);
    changeParams(this, p);
  }

  /** charts are CHARTS with throughput in the chosen units. */
  private charts(): ChartDef[] {
    if (this.units !== 'bytes') return CHARTS;
    const [throughput, ...rest] = CHARTS;
    return [{ ...throughput!, unit: 'B/s', lines: throughput!.lines.map((l) => ({ ...l, scale: 1 })) }, ...rest];
  }

  private chartSeries(def: ChartDef): ChartSeries[] {
    const out: ChartSeries[] = [];
    // The newest bucket may be partly in the future: its rate is over the windows written so far, not the whole step.
    const writtenUpTo = Math.floor(Date.now() / this.windowMs) * this.windowMs - this.windowMs;
    this.data.forEach((s, hi) => {
      const seconds = s.ts.map((t) => Math.max(this.windowMs, Math.min(s.step, writtenUpTo - t)) / 1000);
      for (const line of def.lines) {
        const col = s[line.field];
        if (!col) continue;
        const k = line.scale ?? 1;
        out.push({
          label: hi === 0 ? line.label : `${s.host} ${line.label}`,
          values: col.map((v, i) => (v === null ? null : def.distinct ? v : (v * k) / seconds[i]!)),
          colour: line.colour, dash: DASHES[hi], below: line.below,
          total: def.distinct ? undefined : sum(col) * k,
        });
      }
    });
    return out;
  }

  render() {
    const r = this.range();
    const main = this.data[0];
    const from = this.params.get('from') ?? 'now-1h';
    const seen = main ? { first: Math.min(...(main.first_seen ?? []).filter((v): v is number => v !== null && v > 0)), last: Math.max(...(main.last_seen ?? []).filter((v): v is number => v !== null)) } : undefined;
    const hasRows = main ? main.ts.length > 0 : false;
    const levelText = { window: `${formatDuration(this.windowMs)} windows`, minute: '1-min buckets', hour: '1-h buckets' }[r.level];
    const stepText = `per ${formatDuration(r.step)} bucket (${levelText}), average rate`;
    return html`
      <header>
        <h2 data-testid="host-address">${this.host}</h2>
        ${main ? html`<div class="figures" data-testid="host-totals">
          <span>bytes out <b data-field="bytes_out" title=${formatExact(sum(main.bytes_out))}>${formatSI(sum(main.bytes_out), 'B')}</b></span>
          <span>bytes in <b data-field="bytes_in" title=${formatExact(sum(main.bytes_in))}>${formatSI(sum(main.bytes_in), 'B')}</b></span>
          <span>flows out <b data-field="flows_out" title=${formatExact(sum(main.flows_out))}>${formatSI(sum(main.flows_out))}</b></span>
          <span>flows in <b data-field="flows_in" title=${formatExact(sum(main.flows_in))}>${formatSI(sum(main.flows_in))}</b></span>
          ${seen && Number.isFinite(seen.first) ? html`<span title="first flow start and last flow end in the range, as the exporters stamped them (their clocks; a replayed capture keeps its own times)">flows ${new Date(seen.first).toISOString().slice(0, 19).replace('T', ' ')} – ${new Date(seen.last).toISOString().slice(0, 19).replace('T', ' ')} UTC, exporter's clock</span>` : nothing}
        </div>` : nothing}
        <a href=${this.heatmapUrl()} data-testid="show-in-heatmap">show in heatmap</a>
      </header>
      <div class="controls">
        <span role="group" aria-label="Range">${PRESETS.map(([label, value]) => html`<button data-range=${label} aria-pressed=${from === value && !this.params.get('to')} @click=${() => this.change({ from: value, to: undefined })}>${label}</button>`)}</span>
        <label>from <input data-testid="range-from" size="22" .value=${from} @change=${(e: Event) => this.change({ from: (e.target as HTMLInputElement).value })}></label>
        <label>to <input data-testid="range-to" size="22" .value=${this.params.get('to') ?? 'now'} @change=${(e: Event) => { const v = (e.target as HTMLInputElement).value; this.change({ to: v === 'now' ? undefined : v }); }}></label>
        <label>granularity <select data-testid="granularity" .value=${this.gran} @change=${(e: Event) => this.change({ gran: (e.target as HTMLSelectElement).value === 'auto' ? undefined : (e.target as HTMLSelectElement).value })}>
          ${GRANULARITIES.map((g) => html`<option value=${g} ?selected=${g === this.gran}>${g === 'auto' ? `auto (${r.level})` : g}</option>`)}
        </select></label>
        <span data-testid="step" data-step=${main?.step ?? ''}>${main ? stepText : ''}</span>
        <span role="group" aria-label="Move the range">
          <button data-testid="earlier" title="the range before this one" @click=${() => this.shift(r.from, r.to, -1)}>◀ earlier</button>
          <button data-testid="later" title="the range after this one" ?disabled=${r.live} @click=${() => this.shift(r.from, r.to, 1)}>later ▶</button>
          <button data-testid="zoom-out" title="twice the range, around its middle" @click=${() => this.zoomOut(r.from, r.to)}>zoom out</button>
        </span>
        ${r.live ? html`<span data-testid="live">● live</span>` : html`<button data-testid="back-to-live" @click=${() => this.change({ from: `now-${Math.round((r.to - r.from) / 60_000)}m`, to: undefined })}>Paused: back to live</button>`}
        <button data-testid="copy-link" title="a link with this range as absolute times: it shows the same data tomorrow" @click=${() => this.copyLink(r.from, r.to)}>${this.copied ? 'copied' : 'copy link'}</button>
        <label>compare <input size="18" placeholder="address" .value=${this.compareText} @input=${(e: Event) => { this.compareText = (e.target as HTMLInputElement).value; }}
          @keydown=${(e: KeyboardEvent) => this.onCompareKey(e)}></label>
        ${this.linkText ? html`<label>link <input readonly size="40" data-testid="link-text" .value=${this.linkText} @focus=${(e: Event) => (e.target as HTMLInputElement).select()}></label>` : nothing}
        ${this.compareError || this.compareNotice() ? html`<span class="notice" role="alert" data-testid="compare-notice">${this.compareError || this.compareNotice()}</span>` : nothing}
        ${this.compared.map((h, i) => html`<button class="mono" title="stop comparing" @click=${() => this.change({ cmp: this.compared.filter((x) => x !== h).join(',') || undefined })}>${h} ${['—', '- -', '···', '-·-', '. .'][i + 1]} ✕</button>`)}
      </div>
      ${[...r.notices, ...this.granNotice()].map((n) => html`<div class="state" role="note">${n}</div>`)}
      ${this.fetcher.error ? html`<div class="error" role="alert">Could not load the series: ${this.fetcher.error} <button @click=${() => this.load()}>Retry</button></div>` : nothing}
      ${this.fetcher.loading && !main ? html`<div class="state" role="status">loading…</div>` : nothing}
      ${main && !hasRows ? html`<div class="state" data-testid="host-empty">No data for ${this.host} in this range: the host sent and received nothing the probes saw, or the range is before it was first seen.</div>` : nothing}
      <div class="grid ${this.fetcher.loading ? 'dim' : ''}">
        ${main && hasRows ? this.charts().map((def) => html`<hf-chart .caption=${def.caption} .unit=${def.unit} .subtitle=${def.distinct ? `≈ distinct in bucket, ${levelText}` : stepText} .ts=${main.ts} .series=${this.chartSeries(def)} data-chart=${def.caption}></hf-chart>`) : nothing}
      </div>
    `;
  }

  /** heatmapUrl is the grid that shows this host among its neighbours (an IPv4 /16, an IPv6 /112), marked. */
  private heatmapUrl(): string {
    const p = parsePrefix(`${this.host}/${parsePrefix(this.host)?.v4 ? 16 : 112}`);
    return `/map/${p ? formatPrefix(p) : '0.0.0.0/0'}?v=1&sel=${encodeURIComponent(this.host)}`;
  }

  /** granNotice says when gran= was not understood (and auto is used instead). */
  private granNotice(): string[] {
    const asked = this.params.get('gran');
    return asked !== null && asked !== 'auto' && this.gran === 'auto' ? [`granularity="${asked.slice(0, 20)}" is not window, minute or hour: using auto`] : [];
  }

  private onCompareKey(e: KeyboardEvent): void {
    if (e.key !== 'Enter') return;
    const text = this.compareText.trim();
    if (parsePrefix(text)?.len !== 128) { this.compareError = `"${text.slice(0, 40)}" is not an address`; return; }
    if (text === this.host || this.compared.includes(text)) { this.compareError = `${text} is already shown`; return; }
    if (this.compared.length >= MAX_COMPARE) { this.compareError = `at most ${MAX_COMPARE} hosts are compared`; return; }
    this.compareError = '';
    this.compareText = '';
    this.change({ cmp: [...this.compared, text].join(',') });
  }

  /** shift moves the range by its own length; reaching now, it is live again. */
  private shift(from: number, to: number, direction: -1 | 1): void {
    const live = timeRange(this.params, Date.now(), this.windowMs).live;
    const span = to - from - (live ? this.windowMs : 0); // A live range holds the window in progress too.
    this.setRange(from + direction * span, to + direction * span);
  }

  /** zoomOut doubles the range around its middle, never past now. */
  private zoomOut(from: number, to: number): void {
    const span = to - from, end = Math.min(Date.now(), (from + to) / 2 + span);
    this.setRange(end - 2 * span, end);
  }

  private setRange(from: number, to: number): void {
    if (to >= Date.now() - 2 * this.windowMs) this.change({ from: `now-${Math.max(1, Math.round((to - from) / 60_000))}m`, to: undefined });
    else this.change({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  }

  /** copyLink puts this view's URL on the clipboard with from and to as absolute UTC times. */
  private async copyLink(from: number, to: number): Promise<void> {
    const url = new URL(location.href);
    url.searchParams.set('from', new Date(from).toISOString());
    url.searchParams.set('to', new Date(to).toISOString());
    url.searchParams.set('v', '1');
    try {
      await navigator.clipboard.writeText(url.toString()); // Undefined outside a secure context (plain HTTP).
      this.copied = true;
      setTimeout(() => { this.copied = false; }, 2000);
    } catch {
      this.linkText = url.toString();
    }
  }
}

declare global {
  interface HTMLElementTagNameMap { 'hf-host': HfHost }
}
