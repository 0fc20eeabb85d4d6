// <hf-app>: the page frame: top bar with freshness badge, totals tiles, top-hosts table, exporters.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { DEFAULT_METRIC, isMetric, type Metric, type WindowMessage } from '../../api.js';
import { MergerConnectionController } from '../../controllers/merger-connection-controller.js';
import { formatAge, formatClock, formatDuration } from '../../format.js';
import { theme } from '../../theme.js';
import '../hf-totals/hf-totals.js';
import '../hf-top-hosts/hf-top-hosts.js';
import '../hf-exporters/hf-exporters.js';
import type { SortChangeDetail } from '../hf-top-hosts/hf-top-hosts.js';

/** A window counts as late once it is this much older than two window lengths. */
const LATE_GRACE_MS = 5000;

/** Reads the sort from `?metric=bytes&dir=out` (both optional); unknown values fall back to the default. */
function sortFromUrl(search: string): Metric {
  const params = new URLSearchParams(search);
  const [defMeasure, defDir] = DEFAULT_METRIC.split('_');
  const candidate = `${params.get('metric') ?? defMeasure}_${params.get('dir') ?? defDir}`;
  if (isMetric(candidate)) return candidate;
  console.warn(`hostflow: ignoring unknown sort ${candidate} in the URL`);
  return DEFAULT_METRIC;
}

/** The current URL with the sort written as `metric` and `dir` (omitted for the default) and `v=1`. */
function urlWithSort(sort: Metric): string {
  const url = new URL(location.href);
  const [measure = '', dir = ''] = sort.split('_');
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

  /** Wall-clock time of the last tick, for the badge's age. */
  @state() private now = Date.now();

  /** Sort of the top-hosts table, mirrored in the URL. */
  @state() private sort: Metric = sortFromUrl(location.search);

  private clock: ReturnType<typeof setInterval> | undefined;

  private readonly onPopState = (): void => {
    this.sort = sortFromUrl(location.search);
  };

  connectedCallback(): void {
    super.connectedCallback();
    this.clock = setInterval(() => {
      this.now = Date.now();
    }, 1000);
    window.addEventListener('popstate', this.onPopState);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
    window.removeEventListener('popstate', this.onPopState);
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
      text = `window ${formatClock(end)}, ${formatAge(age)}`;
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
    return html`
      <header class="topbar">
        <h1>hostflow</h1>
        ${this.badge(w)}
        <span class="sr-only" role="status">${stateText}</span>
      </header>
      <main>
        <hf-totals .window=${w}></hf-totals>
        <hf-top-hosts .window=${w} .sort=${this.sort} @sort-change=${this.onSortChange}></hf-top-hosts>
        <hf-exporters .window=${w}></hf-exporters>
      </main>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hf-app': HfApp;
  }
}
