/** The probe's own HTTP endpoint: /metrics (Prometheus text), /exporters and /status (JSON). Read only. */
import http from 'node:http';

/** MetricsSources are what the endpoint reads on each request. */
export interface MetricsSources {
  prometheus(): string;
  exporters(): object;
  status(): object;
}

/** MetricsServer serves the probe's counters. */
export class MetricsServer {
  private _server?: http.Server;

  constructor(readonly host: string, readonly port: number, private readonly _sources: MetricsSources) {}

  /** start listens; resolves to the bound port. */
  start(): Promise<number> {
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const send = (status: number, type: string, body: string) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (req.method !== 'GET') return send(405, 'text/plain', 'only GET\n');
      if (path === '/metrics') return send(200, 'text/plain; version=0.0.4', this._sources.prometheus());
      if (path === '/exporters') return send(200, 'application/json', JSON.stringify(this._sources.exporters()));
      if (path === '/status') return send(200, 'application/json', JSON.stringify(this._sources.status()));
      send(404, 'text/plain', 'routes: /metrics /exporters /status\n');
    });
    this._server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  stop(): Promise<void> {
    const server = this._server;
    this._server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
