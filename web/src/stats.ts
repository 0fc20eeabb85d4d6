// The statistics the views offer, with the words for them.

/** Statistics an analyst can colour, sort or chart by, with the words for them. */
export const STAT_LABELS: Record<string, string> = {
  bytes_out: 'bytes out', bytes_in: 'bytes in', packets_out: 'packets out', packets_in: 'packets in',
  flows_out: 'flows out', flows_in: 'flows in', peers_out: 'distinct peers out', peers_in: 'distinct peers in',
  dst_ports_out: 'distinct destination ports out', local_ports_in: 'distinct local ports in',
  tcp_syn_out: 'TCP SYN flows out', tcp_syn_in: 'TCP SYN flows in', tcp_rst_out: 'TCP RST flows out', tcp_rst_in: 'TCP RST flows in',
};

/** HEATMAP_STATS are what the heatmap can colour by. */
export const HEATMAP_STATS = ['bytes_out', 'bytes_in', 'packets_out', 'packets_in', 'flows_out', 'flows_in', 'peers_out', 'peers_in', 'dst_ports_out', 'tcp_syn_out'];

/** DISTINCT_STATS are estimates (sketch unions): shown with "≈". */
export const DISTINCT_STATS = new Set(['peers_out', 'peers_in', 'dst_ports_out', 'local_ports_in']);
