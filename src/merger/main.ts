/** Merger wiring: server -> frame decode -> window merger -> history (DuckDB), live push and API. */
import { decodeFrame, encodeAck } from '../protocol/frame.js';
import { PROBE_STATS, EXPORTER_STATS, MAX_PROBE_ID_BYTES, PROBE_ID_HEADER, type ExporterReport } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/errors.js';
import { WindowMerger, type CompletedWindow } from './merge.js';
import { HistoryStore } from './store/store.js';
import { HistoryQueries } from './store/queries.js';
import { Api } from './api.js';
import { MergerServer } from './server.js';
import { Tokens, bearer } from './auth.js';
import { Login } from './login.js';
import { Sessions } from './sessions.js';
import { Users } from './users.js';
import { loadStaticFiles } from './static-files.js';
import { liveMessage, type ProbeLive } from './query.js';
import { hostText, type MergerConfig } from '../shared/config.js';
import { RateLimitedLog, log } from '../shared/log.js';
import { formatPrometheus, type MetricFamily } from '../shared/metrics.js';

const MAX_FRAME_BYTES = 16 << 20; // A frame holds at most MAX_FRAME_HOSTS hosts: about 9 MB.
const MAX_PROBES = 10_000; // Probe ids remembered for /api/status.
const MAX_EXPORTERS = 16_384; // (probe, exporter) pairs remembered for /api/exporters, over all probes.
const MAX_PROBE_CONNECTIONS = 10_000;
const MAX_LIVE_PROBES = 200; // Probe states a live message carries; /api/probes has them all.
const LIVE_WAIT_MS = 2000; // The longest a live push waits for its window to be written.
const MAX_WRITE_QUEUE = 60; // Completed windows waiting for the history; past it frames are refused until it catches up.

/** ProbeState is what the merger knows of a probe from its frames. */
interface ProbeState {
  lastWindow: number;
  lastFrameAt: number;
  recordsPerS: number;
  stats: Record<string, number>;
}

/** Merger merges the probes' windows and serves the API and the UI. */
export class Merger {
  private _store?: HistoryStore;
  private _latest?: CompletedWindow; // The newest complete window, for the live routes.
  private readonly _merger: WindowMerger;
  private readonly _server: MergerServer;
  private readonly _connections = new Map<number, string>(); // Connection -> probe id (from its upgrade, else its first frame).
  private readonly _refused: Record<string, number> = {};
  private readonly _connectionsRefused: Record<string, number> = {}; // Probe upgrades refused, by reason.
  private readonly _tokens: Tokens;
  private readonly _login: Login;
  private _acksDropped = 0; // Acknowledgements uWS dropped for a connection's backpressure.
  private readonly _closes: Record<string, number> = {}; // Probe connections closed abnormally, by code.
  private readonly _probes = new Map<string, ProbeState>();
  // Probe -> its latest exporter reports (each frame that carries them carries all of the probe's exporters).
  private readonly _exporters = new Map<string, { asOf: number; reports: object[] }>();
  private _exporterCount = 0;
  private readonly _refusals = new RateLimitedLog('merger');
  private _api?: Api; // Made once the history is open, before the server listens.
  private _timer?: NodeJS.Timeout;
  private _port = 0;

  constructor(readonly config: MergerConfig) {
    this._tokens = new Tokens(config.probeTokens, config.apiToken);
    this._login = new Login(this._tokens, new Users(config.users), new Sessions(config.sessionTtlMs), config.tls !== null);
    this._merger = new WindowMerger(config.windowMs, config.graceWindows, (w) => this._complete(w), config.maxPendingBytes);
    this._server = new MergerServer(
      { host: config.http.host, port: config.http.port, maxFrameBytes: MAX_FRAME_BYTES, maxLiveBackpressure: config.liveMaxBufferBytes, maxProbeFramesPerSecond: config.maxProbeFramesPerSecond, tls: config.tls ?? undefined },
      {
        frame: (id, bytes) => this._frame(id, bytes),
        authorized: (cred) => this._login.authorized(cred),
        login: (r) => this._login.handle(r),
        probeUpgrade: (probeId, authorization, peer) => this._probeUpgrade(probeId, authorization, peer),
        probeOpened: (id, probeId) => this._probeOpened(id, probeId),
        probeClosed: (id, code, reason) => this._probeClosed(id, code, reason),
        http: async (path, query) => this._api?.handle(path, query),
        staticFiles: loadStaticFiles(config.webRoot),
      },
    );
  }

  /** start opens the history, continues where it stopped, and listens; resolves to the HTTP port. */
  async start(): Promise<number> {
    const store = await HistoryStore.open({ dataDir: this.config.dataDir, windowMs: this.config.windowMs, retention: this.config.retention });
    this._store = store;
    this._merger.restore(store.completedUpTo, store.sequences);
    this._api = new Api({
      queries: new HistoryQueries(store),
      levels: store.levels,
      latest: () => this._latest,
      probeStates: (w) => this.probeStates(w),
      knownProbe: (id) => this._probes.has(id) || this._isConnected(id),
      historyUpTo: () => store.completedUpTo,
      status: () => this.status(),
      probes: () => this.probes(),
      exporters: () => ({ exporters: [...this._exporters.values()].flatMap((e) => e.reports) }),
      metrics: () => formatPrometheus(this.metrics()),
    });
    try {
      this._port = await this._server.start();
    } catch (err) {
      await store.close();
      throw err;
    }
    this._timer = setInterval(() => this._merger.tick(Date.now()), 250);
    const since = Number.isFinite(store.completedUpTo) ? `, history continues after ${new Date(store.completedUpTo).toISOString()}` : '';
    const [http, ws] = this.config.tls ? ['https', 'wss'] : ['http', 'ws'];
    log('merger', `listening on ${http}://${hostText(this.config.http.host)}:${this._port} (probes: ${ws} /probe), window ${this.config.windowMs} ms, history in ${this.config.dataDir}${since}`);
    return this._port;
  }

  private _refuse(code: string, key: string, message: string): void {
    this._refused[code] = (this._refused[code] ?? 0) + 1;
    this._refusals.log(key, message);
  }

  private _frame(connection: number, bytes: Uint8Array): void {
    let frame;
    try {
      frame = decodeFrame(bytes); // Synchronous: uWS reuses the message buffer after this call.
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this._refuse(err.code, err.code, `refused a frame from connection ${connection}: ${err.message}`);
      // A probe newer than this merger would send every frame in vain: tell it (its status shows the reason).
      if (err.code === 'PROTO_ERR_BAD_VERSION') this._server.closeProbe(connection, 1008, `frame ${err.code}: ${err.reason}: upgrade the merger first`);
      return;
    }
    const known = this._connections.get(connection);
    if (known !== undefined && known !== frame.probeId) {
      return this._refuse('PROTO_ERR_PROBE_ID_CHANGED', 'id-changed', `refused a frame of probe ${frame.probeId} on the connection of probe ${known}`);
    }
    if (frame.windowLength !== this.config.windowMs) {
      // A probe on another window length can never be merged: tell it, rather than wait for it each window.
      const reason = `window ${frame.windowLength} ms, this merger merges ${this.config.windowMs} ms windows`;
      this._refuse('PROTO_ERR_WRONG_WINDOW', `window:${frame.probeId}`, `refused probe ${frame.probeId}: ${reason}`);
      this._server.closeProbe(connection, 1008, reason);
      return;
    }
    if (known === undefined) {
      this._connections.set(connection, frame.probeId);
      this._merger.probeUp(frame.probeId);
    }
    if ((this._store?.stats.queued ?? 0) >= MAX_WRITE_QUEUE) {
      // The history is behind (a failing disk): take no more, and let the probe keep its frames and come back.
      this._refuse('HISTORY_BEHIND', 'history-behind', `refused frame ${frame.sequence} of probe ${frame.probeId}: ${MAX_WRITE_QUEUE} windows wait to be written`);
      this._server.closeProbe(connection, 1013, 'the merger\'s history is behind: try again later');
      return;
    }
    const result = this._merger.merge(frame, Date.now());
    if (result === 'over_memory') this._server.closeProbe(connection, 1013, 'the merger\'s open windows are full: try again later'); // It sends the frame again after reconnecting.
    if (result !== 'merged') {
      if (result !== 'duplicate') this._refusals.log(result, `frame ${frame.sequence} of probe ${frame.probeId} for window ${new Date(frame.windowStart).toISOString()} not merged: ${result}`);
      // A frame that will never be merged is acknowledged once what came before it is written (frames
      // arrive in order, so those are in complete windows). One the merger might take later is not.
      if (result === 'duplicate' || result === 'late') void this._store?.flushed().then(() => this._ack(frame.probeId, frame.sequence));
      return;
    }
    if (this._probes.size < MAX_PROBES || this._probes.has(frame.probeId)) this._probeFrame(frame.probeId, frame.windowStart, frame.stats);
    if (frame.exporters?.length) this._exporterReports(frame.probeId, frame.windowStart, frame.exporters);
  }

  /** _probeFrame keeps a probe's latest counters, and its records per second between windows. */
  private _probeFrame(probe: string, windowStart: number, values: number[]): void {
    const stats: Record<string, number> = {};
    PROBE_STATS.forEach((name, i) => { if (i < values.length) stats[name] = values[i]; });
    const now = Date.now();
    const p = this._probes.get(probe);
    let recordsPerS = p?.recordsPerS ?? 0;
    if (p && windowStart > p.lastWindow && now > p.lastFrameAt && stats.records >= (p.stats.records ?? 0)) {
      recordsPerS = ((stats.records - (p.stats.records ?? 0)) * 1000) / (now - p.lastFrameAt);
    }
    this._probes.set(probe, { lastWindow: Math.max(p?.lastWindow ?? 0, windowStart), lastFrameAt: now, recordsPerS, stats });
  }

  /** _exporterReports replaces a probe's exporter reports; over MAX_EXPORTERS, the stalest probes' go first. */
  private _exporterReports(probe: string, windowStart: number, exporters: ExporterReport[]): void {
    const reports = exporters.map((e) => {
      const named: Record<string, number> = {};
      EXPORTER_STATS.forEach((name, i) => { if (i < e.stats.length) named[name] = e.stats[i]; });
      return { probe, exporter: e.address, as_of_window: windowStart, ...named };
    });
    this._exporterCount += reports.length - (this._exporters.get(probe)?.reports.length ?? 0);
    this._exporters.set(probe, { asOf: windowStart, reports });
    while (this._exporterCount > MAX_EXPORTERS) {
      let stalest: string | undefined;
      for (const [id, e] of this._exporters) if (id !== probe && (stalest === undefined || e.asOf < this._exporters.get(stalest)!.asOf)) stalest = id;
      if (stalest === undefined) break; // One probe alone: at most MAX_FRAME_EXPORTERS (4,096).
      this._exporterCount -= this._exporters.get(stalest)!.reports.length;
      this._exporters.delete(stalest);
    }
  }

  /** _probeUpgrade lets a probe in before any frame is read: with probe tokens configured it must name
   * itself and carry its token; a probe id cannot be used by two connections at once. */
  private _probeUpgrade(probeId: string | undefined, authorization: string, peer: string): { status: number; reason: string } | undefined {
    const refuse = (code: string, status: number, reason: string) => {
      this._connectionsRefused[code] = (this._connectionsRefused[code] ?? 0) + 1;
      this._refusals.log(`upgrade:${code}`, `refused a probe connection from ${peer}${probeId ? ` as ${probeId}` : ''}: ${reason}`);
      return { status, reason };
    };
    if (this._connections.size >= MAX_PROBE_CONNECTIONS) return refuse('too_many_connections', 503, `at most ${MAX_PROBE_CONNECTIONS} probe connections`);
    if (this._tokens.probesNeedToken) {
      if (!probeId) return refuse('no_probe_id', 401, `no probe id (header ${PROBE_ID_HEADER})`);
      const token = bearer(authorization);
      if (!token) return refuse('no_token', 401, 'no token (Authorization: Bearer TOKEN)');
      // One reason for both: the answer must not tell which probe ids exist.
      if (!this._tokens.probe(probeId, token)) return refuse('bad_token', 401, 'unknown probe or wrong token');
    }
    if (probeId && this._isConnected(probeId)) return refuse('probe_in_use', 409, `probe ${probeId} is already connected`);
    return undefined;
  }

  private _isConnected(probeId: string): boolean {
    for (const id of this._connections.values()) if (id === probeId) return true;
    return false;
  }

  /** _probeOpened: a probe that names itself at the upgrade is waited for from now on, not from its first frame. */
  private _probeOpened(connection: number, probeId: string | undefined): void {
    if (probeId === undefined || Buffer.byteLength(probeId) > MAX_PROBE_ID_BYTES) return;
    this._connections.set(connection, probeId);
    this._merger.probeUp(probeId);
    // What the history already holds of it: the probe drops those frames instead of sending them again.
    const durable = this._store?.sequences.get(probeId);
    if (durable !== undefined && !this._server.sendToProbe(connection, encodeAck(durable))) this._acksDropped++;
  }

  /** _ack tells every connection of a probe that its frames up to sequence are durable. */
  private _ack(probe: string, sequence: number): void {
    const ack = encodeAck(sequence);
    for (const [connection, id] of this._connections) {
      // A dropped ack costs the probe a resend, which the merger then counts as a duplicate; the next ack covers it.
      if (id === probe && !this._server.sendToProbe(connection, ack)) this._acksDropped++;
    }
  }

  private _probeClosed(connection: number, code: number, reason: string): void {
    const probe = this._connections.get(connection);
    this._connections.delete(connection);
    if (probe !== undefined) this._merger.probeDown(probe, Date.now());
    if (code !== 1000 && code !== 1001 && code !== 1008) {
      // uWS drops a connection whose message is over the frame limit without a close handshake (1006,
      // "Received too big message, or other inflation error": a deflated message that does not inflate
      // is told the same way): count that apart from connections that just dropped.
      const key = code === 1006 && /too big/i.test(reason) ? 'too_big' : String(code);
      this._closes[key] = (this._closes[key] ?? 0) + 1;
      this._refusals.log(`close:${key}`, `probe connection ${connection} (${probe ?? 'no frame yet'}) closed: code ${code}${reason ? `, ${reason}` : ''}`);
    }
  }

  private _complete(w: CompletedWindow): void {
    this._latest = w;
    // Pushed once written, so that what a browser asks the API on a push includes the window; a history
    // that is behind (a failing disk) holds the push back at most LIVE_WAIT_MS.
    let pushed = false;
    const push = () => {
      if (pushed) return;
      pushed = true;
      clearTimeout(timer);
      if (this._server.liveClients > 0) this._server.publishLive(JSON.stringify(liveMessage(w, this.probeStates(w))));
    };
    const timer = setTimeout(push, LIVE_WAIT_MS);
    const written = this._store?.write(w) ?? Promise.resolve();
    written.then(
      () => { push(); for (const [probe, sequence] of w.sequences) this._ack(probe, sequence); },
      (err: Error) => { push(); this._refusals.log('history', `history: window ${new Date(w.start).toISOString()} not written: ${err.message}`); },
    );
  }

  /** probeStates is each known probe's state for a live message: whether it reported window w. */
  probeStates(w: CompletedWindow): ProbeLive[] {
    const connected = new Set(this._connections.values()), now = Date.now();
    return [...this._probes].slice(0, MAX_LIVE_PROBES).map(([id, p]) => ({
      probe: id, connected: connected.has(id), lag_ms: Math.max(0, now - (p.lastWindow + this.config.windowMs)), in_window: w.probes.includes(id),
    }));
  }

  /** probes is each probe's state, for /api/probes. */
  probes(): object {
    const connected = new Set(this._connections.values());
    const now = Date.now();
    return {
      probes: [...this._probes].map(([id, p]) => ({
        probe: id,
        connected: connected.has(id),
        last_window: p.lastWindow,
        lag_ms: Math.max(0, now - (p.lastWindow + this.config.windowMs)), // How far its latest window is behind now.
        last_frame_at: p.lastFrameAt,
        records_per_s: Math.round(p.recordsPerS),
        spool_frames: p.stats.uplink_frames_queued ?? null, // Frames waiting at the probe (null: a probe that does not say).
        spool_bytes: p.stats.uplink_bytes_queued ?? null,
        ...p.stats,
      })),
    };
  }

  /** metrics are the merger's own counters, for /metrics. */
  metrics(): MetricFamily[] {
    const store = this._store?.stats;
    const one = (name: string, help: string, type: 'counter' | 'gauge', value: number): MetricFamily => ({ name, help, type, samples: [{ value }] });
    const labelled = (name: string, help: string, label: string, values: Record<string, number>): MetricFamily =>
      ({ name, help, type: 'counter', samples: Object.entries(values).map(([k, value]) => ({ labels: { [label]: k }, value })) });
    const { windowsCompleted, hostDeltas, ...results } = this._merger.stats;
    return [
      labelled('hostflow_merger_frames_total', 'Frames decoded, by what merging did with them.', 'result', results),
      labelled('hostflow_merger_frames_refused_total', 'Frames refused before merging, by reason.', 'code', this._refused),
      labelled('hostflow_merger_probe_closes_total', 'Probe connections closed abnormally, by close code.', 'code', this._closes),
      labelled('hostflow_merger_probe_connections_refused_total', 'Probe connections refused at the upgrade, by reason.', 'reason', this._connectionsRefused),
      one('hostflow_merger_windows_completed_total', 'Windows completed.', 'counter', windowsCompleted),
      one('hostflow_merger_acks_dropped_total', 'Acknowledgements dropped for a probe connection\'s backpressure.', 'counter', this._acksDropped),
      one('hostflow_merger_host_deltas_total', 'Host deltas merged.', 'counter', hostDeltas),
      one('hostflow_merger_pending_windows', 'Windows held open, waiting for probes.', 'gauge', this._merger.pendingWindows()),
      one('hostflow_merger_pending_bytes', 'Memory the open windows may take.', 'gauge', this._merger.pendingBytes),
      one('hostflow_merger_probes_connected', 'Probes connected.', 'gauge', new Set(this._connections.values()).size),
      one('hostflow_merger_history_windows_written_total', 'Windows written to the history.', 'counter', store?.windowsWritten ?? 0),
      one('hostflow_merger_history_rows_written_total', 'Host rows written, all levels.', 'counter', store?.rowsWritten ?? 0),
      one('hostflow_merger_history_write_errors_total', 'Windows whose transaction failed.', 'counter', store?.writeErrors ?? 0),
      one('hostflow_merger_history_write_queue', 'Completed windows waiting to be written.', 'gauge', store?.queued ?? 0),
      one('hostflow_merger_history_last_write_seconds', 'How long the latest window took to write.', 'gauge', (store?.lastWriteMs ?? 0) / 1000),
      one('hostflow_merger_live_clients', 'Browsers on /api/live.', 'gauge', this._server.liveClients),
      one('hostflow_merger_live_clients_dropped_total', 'Browsers closed for falling too far behind /api/live.', 'counter', this._server.counts.liveClientsDropped),
      one('hostflow_merger_probes_over_rate_total', 'Probe connections closed for sending frames too fast.', 'counter', this._server.counts.probesOverRate),
    ];
  }

  /** status is the merger's own state, for /api/status. */
  status(): object {
    const latest = this._latest;
    return {
      window_ms: this.config.windowMs,
      probes_connected: [...new Set(this._connections.values())],
      probes: Object.fromEntries([...this._probes].map(([id, p]) => [id, {
        connected: this._isConnected(id),
        last_window: p.lastWindow,
        last_frame_at: p.lastFrameAt,
        ...p.stats,
      }])),
      latest_window: latest ? latest.start : null,
      history: this._store ? { data_dir: this.config.dataDir, completed_up_to: Number.isFinite(this._store.completedUpTo) ? this._store.completedUpTo : null, ...this._store.stats } : null,
      pending_windows: this._merger.pendingWindows(),
      pending_bytes: this._merger.pendingBytes,
      frames: { ...this._merger.stats },
      frames_refused: { ...this._refused },
      probe_connections_closed: { ...this._closes },
      probe_connections_refused: { ...this._connectionsRefused },
      acks_dropped: this._acksDropped,
      sign_ins: { ...this._login.stats },
      live_clients: this._server.liveClients,
      live_clients_dropped: this._server.counts.liveClientsDropped,
      probes_over_rate: this._server.counts.probesOverRate,
    };
  }

  /** stop closes the server, then the history once its queued windows are written. */
  async stop(): Promise<void> {
    clearInterval(this._timer);
    this._server.stop();
    await this._store?.close();
  }
}
