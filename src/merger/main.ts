/** Merger wiring: server -> frame decode -> window merger -> history, live push and API. */
import { decodeFrame } from '../protocol/frame.js';
import { PROBE_STATS, EXPORTER_STATS, type ExporterReport } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/errors.js';
import { WindowMerger, type CompletedWindow } from './merge.js';
import { MemoryHistory } from './history.js';
import { Api } from './api.js';
import { MergerServer } from './server.js';
import { loadStaticFiles } from './static-files.js';
import { liveMessage } from './query.js';
import { hostText, type MergerConfig } from '../shared/config.js';
import { RateLimitedLog, log } from '../shared/log.js';

const MAX_FRAME_BYTES = 16 << 20; // A frame holds at most MAX_FRAME_HOSTS hosts: about 9 MB.
const MAX_PROBES = 10_000; // Probe ids remembered for /api/status.
const MAX_EXPORTERS = 16_384; // (probe, exporter) pairs remembered for /api/exporters, over all probes.

/** Merger merges the probes' windows and serves the API and the UI. */
export class Merger {
  private readonly _history: MemoryHistory;
  private readonly _merger: WindowMerger;
  private readonly _server: MergerServer;
  private readonly _connections = new Map<number, string>(); // Connection -> probe id (from its first frame).
  private readonly _refused: Record<string, number> = {};
  private readonly _closes: Record<string, number> = {}; // Probe connections closed abnormally, by code.
  private readonly _probes = new Map<string, { lastWindow: number; lastFrameAt: number; stats: Record<string, number> }>();
  // Probe -> its latest exporter reports (each frame that carries them carries all of the probe's exporters).
  private readonly _exporters = new Map<string, { asOf: number; reports: object[] }>();
  private _exporterCount = 0;
  private readonly _refusals = new RateLimitedLog('merger');
  private _timer?: NodeJS.Timeout;
  private _port = 0;

  constructor(readonly config: MergerConfig) {
    this._history = new MemoryHistory(config.retentionMs, config.maxHeldBytes);
    this._merger = new WindowMerger(config.windowMs, config.graceWindows, (w) => this._complete(w), config.maxPendingBytes);
    const api = new Api(this._history, () => this.status(), () => ({ exporters: [...this._exporters.values()].flatMap((e) => e.reports) }));
    this._server = new MergerServer(
      { host: config.http.host, port: config.http.port, maxFrameBytes: MAX_FRAME_BYTES, maxLiveBackpressure: 16 << 20 },
      {
        frame: (id, bytes) => this._frame(id, bytes),
        probeClosed: (id, code, reason) => this._probeClosed(id, code, reason),
        http: (path, query) => api.handle(path, query),
        staticFiles: loadStaticFiles(config.webRoot),
      },
    );
  }

  /** start listens; resolves to the HTTP port. */
  async start(): Promise<number> {
    this._port = await this._server.start();
    this._timer = setInterval(() => this._merger.tick(Date.now()), 250);
    log('merger', `listening on http://${hostText(this.config.http.host)}:${this._port} (probes: ws /probe), window ${this.config.windowMs} ms`);
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
      return this._refuse(err.code, err.code, `refused a frame from connection ${connection}: ${err.message}`);
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
    const result = this._merger.merge(frame, Date.now());
    if (result !== 'merged') {
      if (result !== 'duplicate') this._refusals.log(result, `frame ${frame.sequence} of probe ${frame.probeId} for window ${new Date(frame.windowStart).toISOString()} not merged: ${result}`);
      return;
    }
    if (this._probes.size < MAX_PROBES || this._probes.has(frame.probeId)) {
      const stats: Record<string, number> = {};
      PROBE_STATS.forEach((name, i) => { if (i < frame.stats.length) stats[name] = frame.stats[i]; });
      const last = this._probes.get(frame.probeId)?.lastWindow ?? 0;
      this._probes.set(frame.probeId, { lastWindow: Math.max(last, frame.windowStart), lastFrameAt: Date.now(), stats });
    }
    if (frame.exporters?.length) this._exporterReports(frame.probeId, frame.windowStart, frame.exporters);
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

  private _probeClosed(connection: number, code: number, reason: string): void {
    const probe = this._connections.get(connection);
    this._connections.delete(connection);
    if (probe !== undefined) this._merger.probeDown(probe, Date.now());
    if (code !== 1000 && code !== 1001 && code !== 1008) {
      // uWS drops a connection whose message is over the frame limit without a close handshake (1006,
      // "Received too big message"): count that apart from connections that just dropped.
      const key = code === 1006 && /too big/i.test(reason) ? 'too_big' : String(code);
      this._closes[key] = (this._closes[key] ?? 0) + 1;
      this._refusals.log(`close:${key}`, `probe connection ${connection} (${probe ?? 'no frame yet'}) closed: code ${code}${reason ? `, ${reason}` : ''}`);
    }
  }

  private _complete(w: CompletedWindow): void {
    this._history.add(w);
    if (this._server.liveClients > 0) this._server.publishLive(JSON.stringify(liveMessage(w)));
  }

  /** status is the merger's own state, for /api/status. */
  status(): object {
    const latest = this._history.latest();
    return {
      window_ms: this.config.windowMs,
      probes_connected: [...new Set(this._connections.values())],
      probes: Object.fromEntries([...this._probes].map(([id, p]) => [id, {
        connected: [...this._connections.values()].includes(id),
        last_window: p.lastWindow,
        last_frame_at: p.lastFrameAt,
        ...p.stats,
      }])),
      latest_window: latest ? latest.start : null,
      windows_held: this._history.windowCount,
      rows_held: this._history.rowCount,
      bytes_held: this._history.byteCount,
      pending_windows: this._merger.pendingWindows(),
      pending_bytes: this._merger.pendingBytes,
      frames: { ...this._merger.stats },
      frames_refused: { ...this._refused },
      probe_connections_closed: { ...this._closes },
      live_clients: this._server.liveClients,
    };
  }

  stop(): void {
    clearInterval(this._timer);
    this._server.stop();
  }
}
