// <hf-totals>: rate and host-count tiles for the last complete window.
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { WindowMessage } from '../../api.js';
import {
  MISSING,
  formatDuration,
  formatExact,
  formatSI,
  perSecond,
  quantity,
  type Quantity,
} from '../../format.js';
import { theme } from '../../theme.js';
import { clock, zoneLabel, PrefsController } from '../../prefs.js';

interface Tile {
  key: string;
  label: string;
  quantity: Quantity;
  /** Small line under the value: what the number was computed from. */
  note: string;
  /** Tooltip with the exact window total. */
  exact: string;
}

/**
 * Tiles for the last complete window: bits/s (bytes × 8), packets/s and flows/s averaged over the window,
 * and the number of active hosts. Values carry SI prefixes and units; the heading states the window's end
 * time and length, so every figure has its unit, granularity and aggregation. Shows dashes, not zeros,
 * until the first window arrives.
 */
@customElement('hf-totals')
export class HfTotals extends LitElement {
  static styles = [
    theme,
    css`
      :host {
        display: block;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 4px 12px;
        margin: 0 0 10px;
      }
      h2 {
        margin: 0;
        font-size: 15px;
        font-weight: 600;
      }
      .scope {
        color: var(--hf-muted);
        font-size: 13px;
        font-variant-numeric: tabular-nums;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
        gap: 12px;
      }
      li {
        background: var(--hf-surface);
        border: 1px solid var(--hf-border);
        border-radius: var(--hf-radius);
        padding: 14px 16px 12px;
        min-width: 0;
      }
      .label {
        display: block;
        color: var(--hf-muted);
        font-size: 13px;
        font-weight: 500;
      }
      .figure {
        display: block;
        margin-top: 4px;
        white-space: nowrap;
        font-variant-numeric: tabular-nums;
      }
      .value {
        font-size: 28px;
        font-weight: 600;
        letter-spacing: -0.01em;
        line-height: 1.15;
      }
      .unit {
        margin-left: 4px;
        font-size: 15px;
        color: var(--hf-muted);
      }
      .note {
        display: block;
        margin-top: 4px;
        color: var(--hf-muted);
        font-size: 12px;
        font-variant-numeric: tabular-nums;
      }
    `,
  ];

  /** The window to show; null before the first complete window. */
  @property({ attribute: false }) window: WindowMessage | null = null;
  /** Renders again when a viewer preference changes. */
  readonly prefsWatch = new PrefsController(this);
  /** Throughput in bits (the default) or bytes per second. */
  @property() units: 'bits' | 'bytes' = 'bits';

  private tiles(w: WindowMessage | null): Tile[] {
    const t = w?.totals;
    const len = w?.length ?? Number.NaN;
    const span = w ? `in ${formatDuration(w.length)}` : '';
    const total = (n: number | undefined, unit: string) =>
      n === undefined ? 'waiting for data' : `${formatSI(n, unit)} ${span}`;
    return [
      {
        key: 'bits',
        label: this.units === 'bytes' ? 'Bytes/s' : 'Bits/s',
        quantity: this.units === 'bytes' ? quantity(perSecond(t?.bytes ?? Number.NaN, len), 'B/s') : quantity(perSecond((t?.bytes ?? Number.NaN) * 8, len), 'bit/s'),
        note: total(t?.bytes, 'B'),
        exact: t ? `${formatExact(t.bytes)} bytes in the window` : MISSING,
      },
      {
        key: 'packets',
        label: 'Packets/s',
        quantity: quantity(perSecond(t?.packets ?? Number.NaN, len), 'pkt/s'),
        note: total(t?.packets, 'packets'),
        exact: t ? `${formatExact(t.packets)} packets in the window` : MISSING,
      },
      {
        key: 'flows',
        label: 'Flows/s',
        quantity: quantity(perSecond(t?.flows ?? Number.NaN, len), 'flows/s'),
        note: total(t?.flows, 'flows'),
        exact: t ? `${formatExact(t.flows)} flows in the window` : MISSING,
      },
      {
        key: 'hosts',
        label: 'Active hosts',
        quantity: quantity(t?.hosts ?? Number.NaN),
        note: t ? `seen ${span}` : 'waiting for data',
        exact: t ? `${formatExact(t.hosts)} hosts active in the window` : MISSING,
      },
    ];
  }

  render() {
    const w = this.window;
    const scope = w
      ? `${clock(w.start)}–${clock(w.start + w.length)} ${zoneLabel(w.start)} · ${formatDuration(w.length)} window · ` +
        'per-second average over all hosts'
      : 'no complete window yet';
    return html`
      <section aria-labelledby="totals-heading">
        <header>
          <h2 id="totals-heading">Last complete window</h2>
          <span class="scope">${scope}</span>
        </header>
        <ul>
          ${this.tiles(w).map(
            (tile) => html`
              <li data-tile=${tile.key} title=${tile.exact}>
                <span class="label">${tile.label}</span>
                <span class="figure"
                  ><span class="value">${tile.quantity.value}</span
                  ><span class="unit">${tile.quantity.unit}</span></span
                >
                <span class="note">${tile.note}</span>
              </li>
            `,
          )}
        </ul>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hf-totals': HfTotals;
  }
}
