// FetchController runs a component's one request at a time. One the analyst asked for (a new prefix, range
// or statistic) aborts the one in flight and dims what is shown meanwhile; a quiet one (a live refresh)
// leaves the view as it is and is skipped while another is in flight, which brings the new windows too
// (aborting it on every window could starve it). Errors other than an abort are kept for the view to show.
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class FetchController<T> implements ReactiveController {
  loading = false;
  error = '';
  private abort?: AbortController;

  constructor(private readonly host: ReactiveControllerHost, private readonly apply: (value: T) => void) {
    host.addController(this);
  }

  async run(request: (signal: AbortSignal) => Promise<T>, quiet = false): Promise<void> {
    if (quiet && this.abort) return;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    this.loading = !quiet;
    this.host.requestUpdate();
    try {
      const value = await request(abort.signal);
      if (abort.signal.aborted) return;
      this.apply(value);
      this.error = '';
    } catch (err) {
      if ((err as Error).name !== 'AbortError') this.error = (err as Error).message;
    } finally {
      if (this.abort === abort) {
        this.loading = false;
        this.abort = undefined;
      }
      this.host.requestUpdate();
    }
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.abort?.abort();
    this.abort = undefined;
  }
}
