/** Probe wiring: UDP input -> WASM core -> window clock -> frame -> uplink. */
import { FlowCore, type CoreStats } from '../wasm/core.js';
import { STATUS_OK, STATUS_TEMPLATE_PENDING } from '../wasm/abi.js';
import { FrameWriter } from '../protocol/frame.js';
import { PROBE_STATS, MAX_FRAME_EXPORTERS, type ProbeStatName } from '../protocol/messages.js';
import { closeWindowInto } from './window-frame.js';

/** FRAME_PART_BYTES: a window's frame is split once a part reaches this size (the merger takes up to 16 MiB). */
const FRAME_PART_BYTES = 8 << 20;
import { UdpInput } from './udp-input.js';
import { BatchUdpInput, loadNativeReader } from './batch-input.js';
import { isIP } from 'node:net';

import { TcpInput, type TcpInputStats } from './tcp-input.js';
import { WindowClock, type Clock, systemClock } from './window.js';
import { Uplink, defaultUplinkOptions, type UplinkStats } from './uplink.js';
import { Spool, type SpoolStats } from './spool.js';
import { udpKernelDrops } from './kernel-drops.js';
import { readFileSync } from 'node:fs';
import { hostText, type ProbeConfig } from '../shared/config.js';
import { RateLimitedLog, log } from '../shared/log.js';
import { MetricsServer } from './metrics-server.js';
import { exporterHealth, exporterMetrics, exporterReport } from './exporter-stats.js';
import { formatPrometheus, type MetricFamily } from '../shared/metrics.js';

/** ProbeStats is everything the probe counted. */
export interface ProbeStats {
  probeId: string;
  udpPort: number;
  udpReader: 'native' | 'dgram';
  udpBatches?: number; // Batches the native reader took (each one system call and one call into WASM).
  udpReadErrors?: number; // Failed reads of the native reader.
  tcpPort: number;
  tcp?: TcpInputStats;
  receiveBufferBytes: number;
  udpKernelDrops?: number; // Linux: /proc/net/udp's drops for the probe's port; absent where the platform does not say.
  windowsClosed: number;
  lastWindowHosts: number;
  core: CoreStats;
  uplink: UplinkStats;
  spool?: SpoolStats;
}

/** Probe decodes what exporters send and ships one frame per window to the merger. */
export class Probe {
  private readonly _core: FlowCore;
  private readonly _writer = new FrameWriter();
  private readonly _input: UdpInput | BatchUdpInput;
  /** udpReader says which UDP reader the probe uses: native (recvmmsg batches) or dgram. */
  readonly udpReader: 'native' | 'dgram';
  private readonly _readerNote: string; // Which reader, and why not the native one.
  private readonly _tcp?: TcpInput;
  private _tcpPort = 0;
  private readonly _clock: WindowClock;
  private readonly _uplink: Uplink;
  private readonly _errors = new RateLimitedLog('probe');
  // Sequence numbers start at the start-up time (or after the spool's last), so a restarted probe never reuses one.
  private _sequence: number;
  private _udpPort = 0;
  private readonly _metrics?: MetricsServer;
  private _windowsClosed = 0;
  private _lastWindowHosts = 0;

  constructor(readonly config: ProbeConfig, clock: Clock = systemClock) {
    this._core = new FlowCore(config.core);
    this._sequence = clock.now();
    const udp = { host: config.udp.host, port: config.udp.port, receiveBufferBytes: config.receiveBufferBytes };
    // The native reader binds literal addresses only; a host name goes to node:dgram, which resolves it.
    const native = config.udpReader === 'dgram' ? 'asked for' : isIP(config.udp.host) === 0 ? `${config.udp.host} is a name, not an address` : loadNativeReader();
    if (typeof native === 'string' && config.udpReader === 'native') throw new Error(`--udp-reader native: ${native}`);
    this.udpReader = typeof native === 'string' ? 'dgram' : 'native';
    this._readerNote = typeof native === 'string' ? `dgram reader: ${native}` : 'native reader';
    this._input = typeof native === 'string'
      ? new UdpInput(udp, (payload, source) => this.ingest(payload, source))
      : new BatchUdpInput(udp, this._core, (error, source, length) => this._logStatus(error, source, length));
    if (config.tcp) {
      this._tcp = new TcpInput({ ...config.tcp, maxConnections: 256, idleTimeoutMs: 15 * 60_000 },
        (message, source) => this.ingest(message, source, true));
    }
    this._clock = new WindowClock(config.windowMs, (start, length) => this._closeWindow(start, length), clock);
    const spool = config.spoolDir === null ? undefined : new Spool(config.spoolDir, config.spoolMaxBytes);
    this._uplink = new Uplink({ ...defaultUplinkOptions(config.mergerUrl, config.probeId), spool, token: config.token ?? undefined, ca: config.caFile ? readFileSync(config.caFile) : undefined });
    if (spool && spool.stats.frames > 0) {
      log('probe', `spool ${config.spoolDir}: ${spool.stats.frames} frames not acknowledged before, to send again${spool.stats.tornRecords ? `; ${spool.stats.tornRecords} torn records skipped` : ''}`);
    }
    // After the spooled frames: a sequence is never used twice, so that the merger's duplicate check holds.
    this._sequence = Math.max(this._sequence, this._uplink.lastSequence + 1);
    if (config.metrics) {
      this._metrics = new MetricsServer(config.metrics.host, config.metrics.port, {
        prometheus: () => formatPrometheus([...this._probeMetrics(), ...exporterMetrics(this.exporters())]),
        exporters: () => ({ exporters: this.exporters() }),
        status: () => this.stats(),
      });
    }
  }

  /** exporters is each exporter address's health. */
  exporters() {
    return [...this._core.exporterStats()].map(([address, s]) => exporterHealth(address, s));
  }

  private _probeMetrics(): MetricFamily[] {
    const s = this.stats();
    const counter = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: 'counter', samples: [{ value }] });
    return [
      counter('hostflow_probe_datagrams_total', 'Datagrams and TCP messages received.', s.core.datagrams),
      counter('hostflow_probe_records_total', 'Flow records accounted.', s.core.records),
      counter('hostflow_probe_windows_total', 'Windows closed and framed.', s.windowsClosed),
      counter('hostflow_probe_overflow_records_total', 'Host updates summed into the overflow entry.', s.core.overflowRecords),
      counter('hostflow_probe_core_faults_total', 'Datagrams dropped because the core trapped (a bug).', s.core.coreFaults ?? 0),
      counter('hostflow_probe_frames_sent_total', 'Frames sent to the merger.', s.uplink.framesSent),
      counter('hostflow_probe_frames_dropped_total', 'Frames dropped because the uplink queue was full.', s.uplink.framesDropped),
      counter('hostflow_probe_udp_kernel_drops_total', 'Datagrams the kernel dropped at the UDP socket (receive buffer full).', s.udpKernelDrops ?? 0),
      { name: 'hostflow_probe_uplink_connected', help: '1 while connected to the merger.', type: 'gauge', samples: [{ value: s.uplink.connected ? 1 : 0 }] },
      { name: 'hostflow_probe_uplink_deflate', help: '1 while the connection to the merger deflates frames (permessage-deflate).', type: 'gauge', samples: [{ value: s.uplink.deflate ? 1 : 0 }] },
    ];
  }

  /** start binds UDP, connects to the merger and starts the window clock; resolves to the UDP port. */
  async start(): Promise<number> {
    try {
      this._udpPort = await this._input.start();
      if (this._tcp) this._tcpPort = await this._tcp.start();
      if (this._metrics) log('probe', `metrics on http://${hostText(this.config.metrics!.host)}:${await this._metrics.start()}/metrics`);
    } catch (err) {
      await this.stop(); // What did start must not stay bound.
      throw err;
    }
    this._uplink.start();
    this._clock.start();
    const tcp = this._tcp ? ` and tcp ${hostText(this.config.tcp!.host)}:${this._tcpPort}` : '';
    log('probe', `${this.config.probeId} listening on udp ${hostText(this.config.udp.host)}:${this._udpPort} (${this._readerNote})${tcp}, sending to ${this.config.mergerUrl}, window ${this.config.windowMs} ms`);
    return this._udpPort;
  }

  /** ingest feeds one datagram (or TCP message, reliable) to the core now. */
  ingest(payload: Uint8Array, source: string, reliable = false): void {
    const status = this._core.ingest(payload, source, Date.now(), reliable);
    if (status !== STATUS_OK && status !== STATUS_TEMPLATE_PENDING) {
      const e = this._core.decodeError(status)!;
      const version = payload.length >= 2 ? `version ${(payload[0] << 8) | payload[1]}, ` : '';
      this._logRejection(source, e.code, e.offset, payload.length, `${version}domain ${e.obsDomainId}, template ${e.templateId}`);
    }
  }

  /** _logStatus logs a datagram that a native reader's batch rejected. */
  private _logStatus(e: { status: number; offset: number; domain: number; template: number }, source: string, length: number): void {
    const code = this._core.decodeError(e.status)!.code;
    this._logRejection(source, code, e.offset, length, `domain ${e.domain}, template ${e.template}`);
  }

  private _logRejection(source: string, code: string, offset: number, length: number, context: string): void {
    this._errors.log(`${source}:${code}`, `exporter ${source}: ${code.toLowerCase()} at byte ${offset} of ${length} (${context})`);
  }

  /** _closeWindow frames the window's hosts, in parts of at most MAX_FRAME_HOSTS hosts, about
   * FRAME_PART_BYTES bytes and MAX_FRAME_REGISTER_SKETCHES HyperLogLog sketches, and queues them; the
   * first part carries the exporters' counters. */
  private _closeWindow(start: number, length: number): void {
    const writer = this._writer;
    const stats = this._wireStats();
    const header = { probeId: this.config.probeId, windowStart: start, windowLength: length, stats };
    let sequence = this._sequence++;
    writer.begin({ ...header, sequence, exporters: this.exporters().slice(0, MAX_FRAME_EXPORTERS).map(exporterReport) });
    this._lastWindowHosts = closeWindowInto(this._core, writer, FRAME_PART_BYTES, () => {
      this._uplink.send(writer.finish(true), sequence);
      sequence = this._sequence++;
      writer.begin({ ...header, sequence });
    });
    this._windowsClosed++;
    this._uplink.send(writer.finish(false), sequence);
  }

  private _wireStats(): number[] {
    const c = this._core.stats();
    const values: Record<ProbeStatName, number> = {
      datagrams: c.datagrams, datagrams_rejected: c.datagramsRejected, records: c.records, templates: c.templatesAdded,
      sets_no_template: c.setsNoTemplate, err_truncated: c.errTruncated, err_bad_version: c.errBadVersion,
      err_bad_set_length: c.errBadSetLength, err_bad_template: c.errBadTemplate, err_bad_record: c.errBadRecord,
      err_too_large: c.errTooLarge, overflow_records: c.overflowRecords, frames_dropped: this._uplink.stats.framesDropped,
      templates_evicted: c.templatesFull, sequence_gaps: c.sequenceGaps, core_faults: c.coreFaults ?? 0,
      sketch_values_dropped: c.sketchValuesDropped,
      uplink_frames_queued: this._uplink.stats.framesQueued, uplink_bytes_queued: this._uplink.stats.bytesQueued,
      udp_kernel_drops: udpKernelDrops(this._udpPort) ?? 0,
    };
    return PROBE_STATS.map((name) => values[name]);
  }

  /** stats reads every counter. */
  stats(): ProbeStats {
    return {
      probeId: this.config.probeId,
      udpPort: this._udpPort,
      udpReader: this.udpReader,
      udpBatches: this._input instanceof BatchUdpInput ? this._input.stats.batches : undefined,
      udpReadErrors: this._input instanceof BatchUdpInput ? this._input.stats.readErrors : undefined,
      tcpPort: this._tcpPort,
      tcp: this._tcp ? { ...this._tcp.stats } : undefined,
      receiveBufferBytes: this._input.receiveBufferBytes(),
      udpKernelDrops: udpKernelDrops(this._udpPort),
      windowsClosed: this._windowsClosed,
      lastWindowHosts: this._lastWindowHosts,
      core: this._core.stats(),
      uplink: { ...this._uplink.stats },
      spool: this._uplink.options.spool ? { ...this._uplink.options.spool.stats } : undefined,
    };
  }

  /** stop closes the window in progress, sends what is queued and closes the sockets. */
  async stop(): Promise<void> {
    await this._input.stop();
    await this._tcp?.stop();
    await this._metrics?.stop();
    this._clock.stop();
    await this._uplink.stop();
  }
}
