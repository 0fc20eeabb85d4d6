// <hf-exporters>: each exporter's health as the probes report it: can the numbers be trusted?
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { WindowMessage } from '../../api.js';
import { formatExact, formatSI } from '../../format.js';
import { theme } from '../../theme.js';

/** ExporterHealth is one row of GET /api/exporters (counters as of the probe's last window). */
interface ExporterHealth {
  probe: string;
  exporter: string;
  packets_ipfix: number;
  packets_v9: number;
  packets_v5: number;
  records: number;
  sampling_rate: number;
  sampled_records: number;
  templates_added: number;
  templates_expired: number;
  templates_evicted: number;
  sets_without_template: number;
  sets_held_decoded: number;
  sets_held_dropped: number;
  sequence_gaps: number;
  [reason: `rejected_${string}`]: number;
}

const REJECTIONS: [string, string][] = [
  ['rejected_truncated', 'truncated (shorter than its header or length field)'],
  ['rejected_bad_version', 'not NetFlow v5, v9 or IPFIX'],
  ['rejected_bad_set_length', 'a set shorter than its header or running past the message'],
  ['rejected_bad_template', 'a malformed template, or one over the caps'],
  ['rejected_bad_record', 'a record running past its set'],
  ['rejected_too_large', 'larger than 64 KiB'],
  ['rejected_bad_count', 'NetFlow v5 record count impossible'],
];

/**
 * A table of exporters: protocol, flow records, the sampling rate hostflow applied to their counts,
 * template events, data that waited for (or never got) a template, sequence gaps, and rejected
 * datagrams with the reasons spelled out on hover. Refetched whenever a new window arrives.
 */
@customElement('hf-exporters')
export class HfExporters extends LitElement {
  static styles = [
    theme,
    css`
      :host { display: block; }
      h2 { margin: 0 0 10px; font-size: 15px; font-weight: 600; }
      .scroll { overflow-x: auto; background: var(--hf-surface); border: 1px solid var(--hf-border); border-radius: 8px; }
      table { width: 100%; border-collapse: collapse; font-size: 13px; }
      th, td { padding: 6px 12px; text-align: right; white-space: nowrap; border-bottom: 1px solid var(--hf-border); }
      th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
      thead th { color: var(--hf-muted); font-weight: 500; }
      td { font-variant-numeric: tabular-nums; }
      .bad { color: var(--hf-bad); }
      .why { white-space: pre-line; text-align: left; font-size: 12px; max-width: 360px; }
      .empty { padding: 12px; color: var(--hf-muted); }
    `,
  ];

  /** The latest window: a new one triggers a refetch. */
  @property({ attribute: false }) window: WindowMessage | null = null;

  @state() private rows: ExporterHealth[] | null = null;
  @state() private error = '';
  private fetchedFor = -1;

  protected updated(): void {
    const start = this.window?.start ?? 0;
    if (start === this.fetchedFor) return;
    this.fetchedFor = start;
    fetch('/api/exporters', { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((body: { exporters: ExporterHealth[] }) => {
        this.rows = [...body.exporters].sort((a, b) => b.records - a.records);
        this.error = '';
      })
      .catch((err: Error) => { this.error = `exporters unavailable: ${err.message}`; });
  }

  private row(e: ExporterHealth) {
    const protocols = [[e.packets_ipfix, 'IPFIX'], [e.packets_v9, 'v9'], [e.packets_v5, 'v5']].filter(([n]) => Number(n) > 0).map(([, p]) => p).join(', ');
    const count = (k: string): number => e[k as `rejected_${string}`] ?? 0;
    const rejected = REJECTIONS.reduce((s, [k]) => s + count(k), 0);
    const why = REJECTIONS.filter(([k]) => count(k) > 0).map(([k, text]) => `${formatExact(count(k))} ${text}`).join('\n');
    const sampling = e.sampled_records > 0 ? `1 in ${formatExact(e.sampling_rate)}` : 'unsampled';
    return html`<tr data-exporter=${e.exporter}>
      <td>${e.exporter}</td>
      <td>${e.probe}</td>
      <td>${protocols || '—'}</td>
      <td title=${`${formatExact(e.records)} flow records`}>${formatSI(e.records)}</td>
      <td data-testid="sampling" title="rate applied to packets and bytes">${sampling}</td>
      <td title="templates added, expired, evicted">${e.templates_added} / ${e.templates_expired} / ${e.templates_evicted}</td>
      <td title="data sets decoded once their template came / dropped while waiting">${e.sets_held_decoded} / ${e.sets_held_dropped}</td>
      <td class=${e.sequence_gaps > 0 ? 'bad' : ''}>${formatExact(e.sequence_gaps)}</td>
      <td class=${rejected > 0 ? 'bad' : ''} data-testid="rejected">${formatExact(rejected)}${why ? html`<div class="why">${why}</div>` : nothing}</td>
    </tr>`;
  }

  render() {
    return html`
      <section aria-labelledby="exporters-heading">
        <h2 id="exporters-heading">Exporters</h2>
        <div class="scroll">
          ${this.error ? html`<p class="empty">${this.error}</p>` : nothing}
          ${this.rows && this.rows.length > 0
            ? html`<table data-testid="exporters">
                <thead><tr>
                  <th scope="col">exporter</th><th scope="col">probe</th><th scope="col">protocol</th>
                  <th scope="col">records</th><th scope="col">sampling</th><th scope="col">templates</th>
                  <th scope="col">held sets</th><th scope="col">sequence gaps</th><th scope="col">rejected</th>
                </tr></thead>
                <tbody>${this.rows.map((e) => this.row(e))}</tbody>
              </table>`
            : this.error ? nothing : html`<p class="empty">no exporter has reported yet</p>`}
        </div>
      </section>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hf-exporters': HfExporters;
  }
}
