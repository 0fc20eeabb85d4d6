/** Per-exporter health from the core's counters, by the names of EXPORTER_STATS (the probe's /exporters,
 * its Prometheus text, and the frames that carry them to the merger's /api/exporters). */
import type { CoreStats } from '../wasm/core.js';
import type { MetricFamily } from '../shared/metrics.js';
import { EXPORTER_STATS, type ExporterStatName, type ExporterReport } from '../protocol/messages.js';

/** ExporterHealth is one exporter address's counters. */
export type ExporterHealth = { exporter: string } & Record<ExporterStatName, number>;

/** exporterHealth names one exporter's core counters. */
export function exporterHealth(exporter: string, s: CoreStats): ExporterHealth {
  return {
    exporter,
    packets_ipfix: s.packetsIpfix, packets_v9: s.packetsV9, packets_v5: s.packetsV5,
    records: s.records, options_records: s.optionsRecords, records_without_address: s.recordsNoAddress,
    sampling_rate: s.samplingRate || 1, sampled_records: s.sampledRecords,
    templates_added: s.templatesAdded, templates_updated: s.templatesUpdated, templates_withdrawn: s.templatesWithdrawn,
    templates_expired: s.templatesExpired, templates_evicted: s.templatesFull,
    sets_without_template: s.setsNoTemplate, sets_held: s.setsHeld, sets_held_decoded: s.setsHeldDecoded,
    sets_held_dropped: s.setsHeldDropped, sets_reserved: s.setsReserved,
    sequence_gaps: s.sequenceGaps, sequence_missed: s.missedRecords,
    rejected_truncated: s.errTruncated, rejected_bad_version: s.errBadVersion, rejected_bad_set_length: s.errBadSetLength,
    rejected_bad_template: s.errBadTemplate, rejected_bad_record: s.errBadRecord, rejected_too_large: s.errTooLarge,
    rejected_bad_count: s.errBadCount,
  };
}

/** exporterReport is the health as a frame carries it. */
export function exporterReport(h: ExporterHealth): ExporterReport {
  return { address: h.exporter, stats: EXPORTER_STATS.map((name) => h[name]) };
}

/** exporterMetrics writes every exporter's counters as Prometheus families labelled by exporter. */
export function exporterMetrics(all: ExporterHealth[]): MetricFamily[] {
  const byLabel = (name: string, help: string, label: string, parts: Record<string, ExporterStatName>): MetricFamily => ({
    name, help, type: 'counter',
    samples: all.flatMap((e) => Object.entries(parts).map(([value, stat]) => ({ labels: { exporter: e.exporter, [label]: value }, value: e[stat] }))),
  });
  const single = (name: string, help: string, stat: ExporterStatName, type: 'counter' | 'gauge' = 'counter'): MetricFamily => ({
    name, help, type, samples: all.map((e) => ({ labels: { exporter: e.exporter }, value: e[stat] })),
  });
  return [
    byLabel('hostflow_exporter_packets_total', 'Export packets received, by protocol.', 'protocol',
      { ipfix: 'packets_ipfix', netflow_v9: 'packets_v9', netflow_v5: 'packets_v5' }),
    single('hostflow_exporter_records_total', 'Flow records decoded and accounted.', 'records'),
    single('hostflow_exporter_options_records_total', 'Options data records read.', 'options_records'),
    byLabel('hostflow_exporter_rejected_total', 'Datagrams rejected, by the first failed check; bad templates each.', 'reason', {
      truncated: 'rejected_truncated', bad_version: 'rejected_bad_version', bad_set_length: 'rejected_bad_set_length',
      bad_template: 'rejected_bad_template', bad_record: 'rejected_bad_record', too_large: 'rejected_too_large', bad_count: 'rejected_bad_count',
    }),
    byLabel('hostflow_exporter_templates_total', 'Template events, by kind.', 'event', {
      added: 'templates_added', updated: 'templates_updated', withdrawn: 'templates_withdrawn', expired: 'templates_expired', evicted: 'templates_evicted',
    }),
    byLabel('hostflow_exporter_data_sets_total', 'Data sets by what became of them.', 'outcome', {
      without_template: 'sets_without_template', held: 'sets_held', held_decoded: 'sets_held_decoded', held_dropped: 'sets_held_dropped', reserved: 'sets_reserved',
    }),
    single('hostflow_exporter_sequence_gaps_total', 'Messages whose sequence number skipped ahead.', 'sequence_gaps'),
    single('hostflow_exporter_sequence_missed_total', 'Records (v9: packets) the sequence gaps say were lost.', 'sequence_missed'),
    single('hostflow_exporter_sampling_rate', 'Sampling rate last applied (1 = unsampled).', 'sampling_rate', 'gauge'),
  ];
}
