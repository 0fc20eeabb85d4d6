/** Per-exporter health from the core's counters: what each exporter sent, and what was refused and why. */
import type { CoreStats } from '../wasm/core.js';
import type { MetricFamily } from '../shared/metrics.js';

/** ExporterHealth is one exporter address's counters, by name, as the probe's JSON shows them. */
export interface ExporterHealth {
  exporter: string;
  packets: { ipfix: number; netflow_v9: number; netflow_v5: number };
  records: number;
  options_records: number;
  records_without_address: number;
  sampling_rate: number; // The rate last applied to its records (1: unsampled).
  sampled_records: number;
  templates: { added: number; updated: number; withdrawn: number; expired: number; evicted: number };
  data_sets: { without_template: number; held: number; held_decoded: number; held_dropped: number; reserved: number };
  sequence: { gaps: number; missed: number }; // Per observation domain, as IPFIX (records) and v9 (packets) count them.
  rejected: Record<string, number>; // Datagrams by the reason of their first error, and bad templates.
}

/** exporterHealth turns one exporter's core counters into its health record. */
export function exporterHealth(exporter: string, s: CoreStats): ExporterHealth {
  return {
    exporter,
    packets: { ipfix: s.packetsIpfix, netflow_v9: s.packetsV9, netflow_v5: s.packetsV5 },
    records: s.records,
    options_records: s.optionsRecords,
    records_without_address: s.recordsNoAddress,
    sampling_rate: s.samplingRate || 1,
    sampled_records: s.sampledRecords,
    templates: { added: s.templatesAdded, updated: s.templatesUpdated, withdrawn: s.templatesWithdrawn, expired: s.templatesExpired, evicted: s.templatesFull },
    data_sets: { without_template: s.setsNoTemplate, held: s.setsHeld, held_decoded: s.setsHeldDecoded, held_dropped: s.setsHeldDropped, reserved: s.setsReserved },
    sequence: { gaps: s.sequenceGaps, missed: s.missedRecords },
    rejected: {
      truncated: s.errTruncated, bad_version: s.errBadVersion, bad_set_length: s.errBadSetLength, bad_template: s.errBadTemplate,
      bad_record: s.errBadRecord, too_large: s.errTooLarge, bad_count: s.errBadCount,
    },
  };
}

/** exporterMetrics writes every exporter's counters as Prometheus families labelled by exporter. */
export function exporterMetrics(all: ExporterHealth[]): MetricFamily[] {
  const family = (name: string, help: string, value: (e: ExporterHealth) => Record<string, number> | number, label?: string): MetricFamily => ({
    name, help, type: 'counter',
    samples: all.flatMap((e) => {
      const v = value(e);
      return typeof v === 'number'
        ? [{ labels: { exporter: e.exporter }, value: v }]
        : Object.entries(v).map(([k, n]) => ({ labels: { exporter: e.exporter, [label!]: k }, value: n }));
    }),
  });
  return [
    family('hostflow_exporter_packets_total', 'Export packets received, by protocol.', (e) => e.packets, 'protocol'),
    family('hostflow_exporter_records_total', 'Flow records decoded and accounted.', (e) => e.records),
    family('hostflow_exporter_options_records_total', 'Options data records read.', (e) => e.options_records),
    family('hostflow_exporter_rejected_total', 'Datagrams rejected, by the first failed check; bad templates each.', (e) => e.rejected, 'reason'),
    family('hostflow_exporter_templates_total', 'Template events, by kind.', (e) => e.templates, 'event'),
    family('hostflow_exporter_data_sets_total', 'Data sets by what became of them.', (e) => e.data_sets, 'outcome'),
    family('hostflow_exporter_sequence_gaps_total', 'Messages whose sequence number skipped ahead.', (e) => e.sequence.gaps),
    family('hostflow_exporter_sequence_missed_total', 'Records (v9: packets) the sequence gaps say were lost.', (e) => e.sequence.missed),
    { name: 'hostflow_exporter_sampling_rate', help: 'Sampling rate last applied (1 = unsampled).', type: 'gauge',
      samples: all.map((e) => ({ labels: { exporter: e.exporter }, value: e.sampling_rate })) },
  ];
}
