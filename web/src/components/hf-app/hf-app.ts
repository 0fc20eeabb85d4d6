// <hf-app>: the page frame and router: top bar (views, search, freshness badge) and the view the URL names:
// overview (/), heatmap (/map/PREFIX), host detail (/host/ADDR), health (/health).
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { DEFAULT_METRIC, isMetric, type Metric, type WindowMessage } from '../../api.js';
import { MergerConnectionController } from '../../controllers/merger-connection-controller.js';
import { formatAge, formatDuration } from '../../format.js';
import { clock, zoneLabel, prefs, setUtc, PrefsController } from '../../prefs.js';
import { theme } from '../../theme.js';
import { parseRoute, searchTarget, timeRange, type Route } from '../../route.js';
import { formatPrefix, coveringPrefix } from '../../prefix.js';
import { getJson } from '../../fetch.js';
import type { NavigateDetail } from '../../events.js';
import '../hf-overview/hf-overview.js';
import '../hf-heatmap/hf-heatmap.js';
import '../hf-host/hf-host.js';
import '../hf-health/hf-health.js';
import type { SortChangeDetail } from '../hf-top-hosts/hf-top-hosts.js';

/** A window counts as late once it is this much older than two window lengths. */
const LATE_GRACE_MS = 5000;

/** splitMetric: "dst_ports_out" is the measure "dst_ports" in the direction "out". */
const splitMetric = (m: string): [string, string] => [m.slice(0, m.lastIndexOf('_')), m.slice(m.lastIndexOf('_') + 1)];

/** Reads the sort from `?metric=bytes&dir=out` (both optional); unknown values fall back to the default. */
function sortFromUrl(search: string): Metric {
  const params = new URLSearchParams(search);
  const [defMeasure, defDir] = splitMetric(DEFAULT_METRIC);
  const candidate = `${params.get('metric') ?? defMeasure}_${params.get('dir') ?? defDir}`;
  if (isMetric(candidate)) return candidate;
  console.warn(`hostflow: ignoring unknown sort ${candidate} in the URL`);
  return DEFAULT_METRIC;
}

/** The current URL with the sort written as `metric` and `dir` (omitted for the default) and `v=1`. */
function urlWithSort(sort: Metric): string {
  const url = new URL(location.href);
  const [measure, dir] = splitMetric(sort);
  if (sort === DEFAULT_METRIC) {
    url.searchParams.delete('metric');
    url.searchParams.delete('dir');
  } else {
    url.searchParams.set('metric', measure);
    url.searchParams.set('dir', dir);
  }
  const others = [...url.searchParams.keys()].some((k) => k !== 'v');
  if (others) url.searchParams.set('v', '1');
  else url.searchParams.delete('v');
  return url.pathname + url.search + url.hash;
}

type BadgeTone = 'ok' | 'pending' | 'warn' | 'bad';

/**
 * The hostflow overview page. Owns the live connection to the merger
 * ({@link MergerConnectionController}) and hands the latest complete window to `<hf-totals>` and
 * `<hf-top-hosts>`. The top bar's freshness badge says which window is shown and how old it is, turns amber
 * when windows are late and red ("merger unreachable, retrying") while the socket is down; the data
 * already shown stays on screen. The table's sort lives in the URL (`?metric=packets&dir=in`).
 */
@customElement('hf-app')
export class HfApp extends LitElement {
  static styles = [
    theme,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--hf-bg);
        font-size: 14px;
        line-height: 1.4;
      }
      .topbar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px 16px;
        padding: 10px 24px;
        background: var(--hf-surface);
        border-bottom: 1px solid var(--hf-border);
      }
      h1 {
        margin: 0;
        font-size: 18px;
        font-weight: 700;
        letter-spacing: -0.01em;
      }
      .badge {
        margin-left: auto;
        display: inline-flex;
        align-items: center;
        gap: 8px;
        padding: 4px 12px;
        border-radius: 999px;
        font-size: 13px;
        font-weight: 500;
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .badge::before {
        content: '';
        width: 8px;
        height: 8px;
        border-radius: 50%;
        background: currentColor;
        flex: none;
      }
      .badge.ok {
        color: var(--hf-ok);
        background: var(--hf-ok-bg);
      }
      .badge.pending {
        color: var(--hf-muted);
        background: #eceef1;
      }
      .badge.warn {
        color: var(--hf-warn);
        background: var(--hf-warn-bg);
      }
      .badge.bad {
        color: var(--hf-bad);
        background: var(--hf-bad-bg);
      }
      .badge .probes {
        color: var(--hf-muted);
        font-weight: 400;
      }
      .badge button {
        font: inherit;
        font-size: 12px;
        color: inherit;
        background: transparent;
        border: 1px solid currentColor;
        border-radius: 999px;
        padding: 0 8px;
        cursor: pointer;
      }
      .badge button:focus-visible {
        outline: 2px solid var(--hf-accent);
        outline-offset: 2px;
      }
      nav.views { display: flex; gap: 4px; }
      nav.views a { padding: 4px 10px; border-radius: 6px; color: var(--hf-fg); text-decoration: none; }
      nav.views a[aria-current='page'] { background: var(--hf-accent-bg); color: var(--hf-accent); font-weight: 600; }
      nav.views a:focus-visible, form input:focus-visible { outline: 3px solid var(--hf-accent); outline-offset: 1px; }
      form.search input { font: inherit; font-size: 13px; padding: 4px 8px; border: 1px solid var(--hf-border-strong); border-radius: 6px; width: 240px; }
      .search-error { color: var(--hf-bad); font-size: 13px; }
      button.units { font: inherit; font-size: 13px; border: 1px solid var(--hf-border-strong); background: var(--hf-surface); border-radius: 6px; padding: 3px 10px; cursor: pointer; }
      button.units:focus-visible { outline: 3px solid var(--hf-accent); outline-offset: 1px; }
      .notice { background: var(--hf-warn-bg); color: var(--hf-warn); padding: 6px 24px; font-size: 13px; }
      main {
        max-width: 1280px;
        margin: 0 auto;
        padding: 20px 24px 40px;
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 24px;
      }
    `,
  ];

  private readonly live = new MergerConnectionController(this);
  /** Renders again when a viewer preference changes. */
  readonly prefsWatch = new PrefsController(this);

  /** Wall-clock time of the last tick, for the badge's age. */
  @state() private now = Date.now();

  /** Sort of the top-hosts table, mirrored in the URL. */
  @state() private sort: Metric = location.pathname === '/' ? sortFromUrl(location.search) : DEFAULT_METRIC;
  /** The view and its parameters: the URL, read. */
  @state() private route: Route = parseRoute(location.pathname, location.search);
  @state() private searchError = '';
  private windowMsFromStatus = 0;
  private pendingG = false;
  private mapStarting = false;

  private clock: ReturnType<typeof setInterval> | undefined;

  private readonly onPopState = (): void => {
    if (location.pathname === '/') this.sort = sortFromUrl(location.search); // metric means another thing on the map.
    this.route = parseRoute(location.pathname, location.search);
  };

  /** navigate shows a URL of this site; replace for changes that should not each be a Back step. */
  navigate(url: string, replace = false): void {
    if (url === location.pathname + location.search) return;
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    this.onPopState();
    window.scrollTo(0, 0);
  }

  /** Same-site links anywhere in the page (shadow roots included) navigate without a reload. */
  private readonly onClick = (ev: MouseEvent): void => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = ev.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
    if (!a || a.origin !== location.origin || a.target || a.pathname === '/login') return;
    ev.preventDefault();
    this.navigate(a.pathname + a.search);
  };

  /** Keys: / search, g o / g m / g h the views; never inside inputs. */
  private readonly onKey = (ev: KeyboardEvent): void => {
    const t = ev.composedPath()[0] as HTMLElement | undefined;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return; // The browser's own shortcuts.
    if (ev.key === '/') { ev.preventDefault(); this.renderRoot.querySelector<HTMLInputElement>('form.search input')?.focus(); return; }
    if (this.pendingG) {
      this.pendingG = false;
      const to = { o: '/', m: '/map', h: '/health' }[ev.key];
      if (to) this.navigate(to);
      return;
    }
    if (ev.key === 'g') this.pendingG = true;
    if (ev.key === 'u') this.toggleUnits();
  };

  private get units(): 'bits' | 'bytes' {
    return this.route.params.get('units') === 'bytes' ? 'bytes' : 'bits';
  }

  /** toggleUnits switches throughput between bits and bytes per second; the URL says it when not bits. */
  private toggleUnits(): void {
    const p = new URLSearchParams(this.route.params);
    if (this.units === 'bits') p.set('units', 'bytes'); else p.delete('units');
    this.withParams(p);
  }

  private get windowMs(): number {
    return this.live.latest?.length ?? (this.windowMsFromStatus || 10_000);
  }

  constructor() {
    super();
    // The views ask for changes of the URL with these events; listeners on the element itself last as long as it.
    this.addEventListener('click', this.onClick);
    this.addEventListener('navigate', (ev) => this.navigate((ev as CustomEvent<NavigateDetail>).detail.url));
    this.addEventListener('params-change', (ev) => this.withParams((ev as CustomEvent<URLSearchParams>).detail));
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.clock = setInterval(() => {
      this.now = Date.now();
    }, 1000);
    window.addEventListener('popstate', this.onPopState);
    window.addEventListener('keydown', this.onKey);
    getJson<{ window_ms?: number }>('/api/status').then((s) => { if (s?.window_ms) { this.windowMsFromStatus = s.window_ms; this.requestUpdate(); } }).catch(() => undefined);
  }

  /** withParams puts a view's new parameters into the URL (v=1 with any, none without). */
  private withParams(p: URLSearchParams): void {
    p.delete('v');
    const q = p.toString();
    this.navigate(location.pathname + (q ? `?v=1&${q}` : ''));
  }

  private onSearch(ev: Event): void {
    ev.preventDefault();
    const input = (ev.target as HTMLFormElement).querySelector('input')!;
    const to = searchTarget(input.value);
    if (!to) { this.searchError = `"${input.value.slice(0, 60)}" is not an address or a prefix`; return; }
    this.searchError = '';
    input.value = '';
    this.navigate(to);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
    window.removeEventListener('popstate', this.onPopState);
    window.removeEventListener('keydown', this.onKey);
  }

  private onSortChange(ev: CustomEvent<SortChangeDetail>): void {
    this.sort = ev.detail.sort;
    history.pushState(history.state, '', urlWithSort(this.sort));
  }

  private badge(w: WindowMessage | null) {
    const { state } = this.live;
    let tone: BadgeTone;
    let text: string;
    let title = '';
    if (state === 'retrying') {
      tone = 'bad';
      text = 'merger unreachable, retrying';
      if (w) title = `Showing the last window received, which ended at ${new Date(w.start + w.length).toISOString()}`;
    } else if (!w) {
      tone = 'pending';
      text = state === 'open' ? 'connected, waiting for the first window' : 'connecting to the merger…';
    } else {
      const end = w.start + w.length;
      const age = this.now - end;
      tone = age > 2 * w.length + LATE_GRACE_MS ? 'warn' : 'ok';
      text = `window ${clock(end)} ${zoneLabel(end)}, ${formatAge(age)}`;
      title =
        `${formatDuration(w.length)} window ${new Date(w.start).toISOString()} to ${new Date(end).toISOString()}` +
        (tone === 'warn' ? '; windows are late: probes may have stopped reporting' : '');
    }
    const probes = w && state !== 'retrying' && Number.isFinite(w.probes) ? w.probes : null;
    return html`
      <span class="badge ${tone}" data-testid="freshness" data-state=${state} title=${title || nothing}>
        <span class="text">${text}</span>
        ${probes === null
          ? nothing
          : html`<span class="probes">· ${probes} ${probes === 1 ? 'probe' : 'probes'}</span>`}
        ${state === 'retrying'
          ? html`<button type="button" @click=${() => this.live.retryNow()}>retry now</button>`
          : nothing}
      </span>
    `;
  }

  render() {
    const w = this.live.latest;
    const stateText = {
      connecting: 'Connecting to the merger',
      open: 'Connected to the merger',
      retrying: 'Merger unreachable, retrying',
    }[this.live.state];
    const r = this.route;
    const current = (view: string) => (r.view === view ? 'page' : nothing);
    return html`
      <header class="topbar">
        <h1>hostflow</h1>
        <nav class="views" aria-label="Views">
          <a href="/" aria-current=${current('overview')}>Overview</a>
          <a href="/map" aria-current=${current('map')}>Heatmap</a>
          <a href="/health" aria-current=${current('health')}>Health</a>
        </nav>
        <form class="search" role="search" @submit=${this.onSearch}>
          <input type="search" aria-label="Go to an address or a prefix" placeholder="address or prefix (/ to focus)" data-testid="search">
        </form>
        ${this.searchError ? html`<span class="search-error" role="alert">${this.searchError}</span>` : nothing}
        <button type="button" class="units" data-testid="zone" aria-pressed=${prefs.utc} title="times in UTC or in local time (kept in this browser)" @click=${() => setUtc(!prefs.utc)}>${prefs.utc ? 'UTC' : 'local time'}</button>
        <button type="button" class="units" data-testid="units" aria-pressed=${this.units === 'bytes'} title="throughput in bits or bytes per second (key u)" @click=${() => this.toggleUnits()}>${this.units === 'bytes' ? 'bytes/s' : 'bits/s'}</button>
        ${this.badge(w)}
        <span class="sr-only" role="status">${stateText}</span>
      </header>
      ${r.notices.map((n) => html`<div class="notice" role="note">${n}</div>`)}
      <main data-view=${r.view}>${this.view(w)}</main>
    `;
  }

  protected willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('route' as keyof HfApp) && this.route.view === 'map' && !this.route.prefixGiven) void this.startMap();
  }

  /** startMap: /map alone goes to the prefix that holds the latest window's busiest hosts (where the monitored
   * networks are), or 0.0.0.0/0 without data. */
  private async startMap(): Promise<void> {
    if (this.mapStarting) return;
    this.mapStarting = true;
    let to = '/map/0.0.0.0/0';
    try {
      const top = await getJson<{ hosts: { host: string }[] }>('/api/hosts/top?limit=200');
      const p = coveringPrefix(top.hosts.map((h) => h.host).filter((h) => h !== 'overflow'));
      if (p) to = `/map/${formatPrefix(p)}`;
    } catch { /* The root, then. */ }
    this.mapStarting = false;
    if (this.route.view === 'map' && !this.route.prefixGiven) this.navigate(to + location.search, true);
  }

  private view(w: WindowMessage | null) {
    const r = this.route, windowMs = this.windowMs;
    // The window length sets steps and ranges: wait for it (the first window, or /api/status) rather than guess.
    if (!w && !this.windowMsFromStatus && r.view !== 'overview') return html`<p role="status">connecting to the merger…</p>`;
    switch (r.view) {
      case 'map': {
        if (!r.prefixGiven) return html`<p role="status">finding the monitored networks…</p>`; // startMap replaces the URL.
        // Without a range: the latest complete window, followed live.
        const ranged = r.params.has('from') || r.params.has('to');
        const t = timeRange(r.params, Date.now(), windowMs);
        const from = ranged ? t.from : w ? w.start : Math.floor(Date.now() / windowMs) * windowMs - 2 * windowMs;
        const to = ranged ? t.to : from + windowMs;
        const max = Number(r.params.get('max')); // A pinned top of the colour scale (the scrubber pins it).
        return html`<hf-heatmap .cidr=${r.prefix} .metric=${r.params.get('metric') ?? 'bytes_out'} .from=${from} .to=${to} .live=${!ranged || t.live}
          .tick=${w?.start ?? 0} .windowMs=${windowMs} .pinnedMax=${max > 0 ? max : undefined} .selected=${r.params.get('sel') ?? ''}></hf-heatmap>`;
      }
      case 'host':
        return html`<hf-host .host=${r.host} .params=${r.params} .windowMs=${windowMs} .tick=${w?.start ?? 0} .units=${this.units}></hf-host>`;
      case 'health':
        return html`<hf-health .window=${w} .windowMs=${windowMs}></hf-health>`;
      default:
        return html`<hf-overview .window=${w} .sort=${this.sort} .windowMs=${windowMs} .units=${this.units} @sort-change=${this.onSortChange}></hf-overview>`;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hf-app': HfApp;
  }
}
