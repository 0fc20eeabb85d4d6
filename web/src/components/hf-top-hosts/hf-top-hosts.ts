// <hf-top-hosts>: the per-metric top-hosts table of one window, sortable by column.
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DEFAULT_METRIC, OVERFLOW_HOST, isMetric, type HostRow, type Metric, type WindowMessage } from '../../api.js';
import { MISSING, formatDuration, formatExact, formatSI } from '../../format.js';
import { clock, PrefsController } from '../../prefs.js';
import { theme } from '../../theme.js';

/** Detail of the `sort-change` event. */
export interface SortChangeDetail {
  sort: Metric;
}

interface Column {
  metric: Metric;
  label: string;
  /** Unit for formatSI: '' for counts, 'B' for bytes. */
  unit: string;
  /** Word used in the exact-value tooltip. */
  noun: string;
}

const COLUMNS: readonly Column[] = [
  { metric: 'flows_out', label: 'flows out', unit: '', noun: 'flows' },
  { metric: 'packets_out', label: 'packets out', unit: '', noun: 'packets' },
  { metric: 'bytes_out', label: 'bytes out', unit: 'B', noun: 'bytes' },
  { metric: 'flows_in', label: 'flows in', unit: '', noun: 'flows' },
  { metric: 'packets_in', label: 'packets in', unit: '', noun: 'packets' },
  { metric: 'bytes_in', label: 'bytes in', unit: 'B', noun: 'bytes' },
  { metric: 'peers_out', label: '≈ peers out', unit: '', noun: 'distinct peers it sent to (estimate)' },
  { metric: 'peers_in', label: '≈ peers in', unit: '', noun: 'distinct peers it received from (estimate)' },
  { metric: 'dst_ports_out', label: '≈ ports out', unit: '', noun: 'distinct destination ports (estimate)' },
  { metric: 'local_ports_in', label: '≈ ports in', unit: '', noun: 'distinct local ports reached (estimate)' },
];

/** Descending by `metric`, missing (NaN) values last; stable for equal values. */
function byMetricDescending(metric: Metric) {
  return (a: HostRow, b: HostRow): number => {
    const x = a[metric];
    const y = b[metric];
    if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
    if (Number.isNaN(y)) return -1;
    return y - x;
  };
}

/**
 * Table of the top hosts of one window: host, then flows, packets and bytes sent (out) and received (in),
 * each a total over the window. Clicking (or pressing Enter/Space on) a column header sorts by that column,
 * descending, and shows the merger's top list for that metric. The sorted header carries
 * `aria-sort="descending"`; a `sort-change` event (detail {@link SortChangeDetail}) tells the page.
 *
 * While a mouse pointer is over the table, new windows are held back so rows do not jump under the
 * pointer; a note says a newer window is waiting, and it is shown when the pointer leaves.
 */
@customElement('hf-top-hosts')
export class HfTopHosts extends LitElement {
  /** Renders again when a viewer preference changes. */
  readonly prefsWatch = new PrefsController(this);
  static styles = [
    theme,
    css`
      :host {
        display: block;
      }
      section {
        background: var(--hf-surface);
        border: 1px solid var(--hf-border);
        border-radius: var(--hf-radius);
        overflow: hidden;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 4px 12px;
        padding: 12px 16px;
        border-bottom: 1px solid var(--hf-border);
      }
      h2 {
        margin: 0;
        font-size: 15px;
        font-weight: 600;
      }
      .scope,
      .held {
        font-size: 13px;
        color: var(--hf-muted);
        font-variant-numeric: tabular-nums;
      }
      .held {
        margin-left: auto;
        color: var(--hf-warn);
      }
      .scroll {
        overflow-x: auto;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 14px;
        font-variant-numeric: tabular-nums;
      }
      th,
      td {
        padding: 7px 16px;
        border-bottom: 1px solid var(--hf-border);
        white-space: nowrap;
      }
      tbody tr:last-child > * {
        border-bottom: none;
      }
      thead th {
        padding: 0;
        background: #f8f9fb;
        border-bottom: 1px solid var(--hf-border-strong);
        font-size: 12px;
        font-weight: 600;
        color: var(--hf-muted);
        text-align: left;
        vertical-align: bottom;
      }
      thead th.host-col {
        padding: 9px 16px;
      }
      .num {
        text-align: right;
      }
      .group-start {
        border-left: 1px solid var(--hf-border);
      }
      th button {
        all: unset;
        box-sizing: border-box;
        display: flex;
        justify-content: flex-end;
        align-items: center;
        gap: 4px;
        width: 100%;
        padding: 9px 16px;
        cursor: pointer;
        color: inherit;
        font: inherit;
      }
      th button:hover {
        color: var(--hf-fg);
        background: #eef1f5;
      }
      th button:focus-visible {
        outline: 2px solid var(--hf-accent);
        outline-offset: -2px;
      }
      .arrow {
        display: inline-block;
        width: 0.9em;
        text-align: center;
        visibility: hidden;
      }
      th button:hover .arrow {
        visibility: visible;
        opacity: 0.45;
      }
      th[aria-sort] {
        color: var(--hf-accent);
        box-shadow: inset 0 -2px 0 var(--hf-accent);
      }
      th[aria-sort] .arrow,
      th[aria-sort] button:hover .arrow {
        visibility: visible;
        opacity: 1;
      }
      tbody tr:hover {
        background: var(--hf-row-hover);
      }
      tbody th {
        text-align: left;
        font-weight: 500;
        font-family: var(--hf-mono);
        font-size: 13px;
      }
      tbody th.overflow {
        font-family: var(--hf-font);
        font-style: italic;
        font-weight: 400;
        color: var(--hf-muted);
      }
      td.sorted {
        font-weight: 600;
        background: rgba(11, 92, 173, 0.045);
      }
      td.missing {
        color: var(--hf-muted);
      }
      td.empty {
        padding: 32px 16px;
        text-align: center;
        color: var(--hf-muted);
      }
    `,
  ];

  /** The window whose top lists are shown; null before the first complete window. */
  @property({ attribute: false }) window: WindowMessage | null = null;

  /** Metric the table is sorted by (descending); reflected as the `sort` attribute. */
  @property({ reflect: true }) sort: Metric = DEFAULT_METRIC;

  /** Window kept on screen while a mouse pointer is over the table; null when not held. */
  @state() private held: WindowMessage | null = null;

  private onPointerEnter(ev: PointerEvent): void {
    if (ev.pointerType === 'mouse') this.held = this.window;
  }

  private onPointerLeave(): void {
    this.held = null;
  }

  private setSort(metric: Metric): void {
    if (metric === this.metric) return;
    this.sort = metric;
    this.dispatchEvent(
      new CustomEvent<SortChangeDetail>('sort-change', {
        detail: { sort: metric },
        bubbles: true,
        composed: true,
      }),
    );
  }

  /** The sort metric, falling back to the default if the `sort` attribute holds an unknown value. */
  private get metric(): Metric {
    return isMetric(this.sort) ? this.sort : DEFAULT_METRIC;
  }

  private renderHeader(col: Column) {
    const sorted = col.metric === this.metric;
    return html`
      <th
        scope="col"
        class="num ${col.metric === 'flows_in' ? 'group-start' : ''}"
        data-metric=${col.metric}
        aria-sort=${sorted ? 'descending' : nothing}
      >
        <button type="button" title="Sort by ${col.label}, largest first" @click=${() => this.setSort(col.metric)}>
          ${col.label}<span class="arrow" aria-hidden="true">▼</span>
        </button>
      </th>
    `;
  }

  private renderRow(row: HostRow, sort: Metric) {
    const overflow = row.host === OVERFLOW_HOST;
    return html`
      <tr>
        <th
          scope="row"
          class=${overflow ? 'overflow' : 'host'}
          data-host=${row.host}
          title=${overflow ? "Sum of the hosts a probe could not track because its host table was full" : row.host}
        >
          ${overflow ? 'other hosts (table full)' : html`<a href="/host/${row.host}">${row.host}</a>`}
        </th>
        ${COLUMNS.map((col) => {
          const v = row[col.metric];
          const classes = [
            'num',
            col.metric === sort ? 'sorted' : '',
            col.metric === 'flows_in' ? 'group-start' : '',
            Number.isNaN(v) ? 'missing' : '',
          ].join(' ');
          return html`<td class=${classes} title=${Number.isNaN(v) ? 'not reported' : `${formatExact(v)} ${col.noun}`}>
            ${Number.isNaN(v) ? MISSING : formatSI(v, col.unit)}
          </td>`;
        })}
      </tr>
    `;
  }

  render() {
    const shown = this.held ?? this.window;
    const sort = this.metric;
    const rows = shown ? [...shown.top[sort]].sort(byMetricDescending(sort)) : [];
    const sortLabel = COLUMNS.find((c) => c.metric === sort)?.label ?? sort;
    const scope = shown
      ? `totals per ${formatDuration(shown.length)} window ending ${clock(shown.start + shown.length)}, ` +
        `ranked by ${sortLabel}`
      : `ranked by ${sortLabel}`;
    const waiting = this.held && this.window && this.window !== this.held ? this.window : null;
    return html`
      <section aria-labelledby="top-heading">
        <header>
          <h2 id="top-heading">Top hosts</h2>
          <span class="scope">${scope}</span>
          ${waiting
            ? html`<span class="held" role="status"
                >paused while the pointer is on the table; window ${clock(waiting.start + waiting.length)}
                is waiting</span
              >`
            : nothing}
        </header>
        <div class="scroll">
          <table
            data-testid="top-hosts"
            aria-labelledby="top-heading"
            @pointerenter=${this.onPointerEnter}
            @pointerleave=${this.onPointerLeave}
          >
            <thead>
              <tr>
                <th scope="col" class="host-col">host</th>
                ${COLUMNS.map((col) => this.renderHeader(col))}
              </tr>
            </thead>
            <tbody>
              ${rows.length
                ? rows.map((row) => this.renderRow(row, sort))
                : html`<tr>
                    <td class="empty" colspan=${COLUMNS.length + 1}>no data for this window yet</td>
                  </tr>`}
            </tbody>
          </table>
        </div>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hf-top-hosts': HfTopHosts;
  }
  interface HTMLElementEventMap {
    'sort-change': CustomEvent<SortChangeDetail>;
  }
}
