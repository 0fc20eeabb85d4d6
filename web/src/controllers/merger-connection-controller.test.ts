// Unit tests for MergerConnectionController with a fake WebSocket, fake fetch and fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  MergerConnectionController,
  backoffDelay,
  type WebSocketLike,
} from './merger-connection-controller.js';

class FakeSocket implements WebSocketLike {
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  closed = false;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.({} as Event);
  }
  send(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
  drop(): void {
    this.onerror?.({} as Event);
    this.onclose?.({} as CloseEvent);
  }
}

class FakeHost implements ReactiveControllerHost {
  controllers: ReactiveController[] = [];
  updates = 0;
  addController(c: ReactiveController): void {
    this.controllers.push(c);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates += 1;
  }
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
}

function windowMessage(start: number, flows = 1) {
  return {
    type: 'window',
    start,
    length: 10_000,
    probes: 1,
    totals: { flows, packets: 2, bytes: 3, hosts: 1 },
    top: {
      bytes_out: [
        { host: '10.0.0.1', flows_out: 1, packets_out: 2, bytes_out: 3, flows_in: 0, packets_in: 0, bytes_in: 0 },
      ],
    },
  };
}

function setup(fetchImpl?: typeof fetch) {
  const sockets: FakeSocket[] = [];
  const host = new FakeHost();
  const fetchMock = vi.fn(fetchImpl ?? (async () => new Response(null, { status: 204 })));
  const controller = new MergerConnectionController(host, {
    liveUrl: 'ws://merger.test/api/live',
    latestUrl: 'http://merger.test/api/live/latest',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    fetch: fetchMock as unknown as typeof fetch,
    random: () => 0.5,
  });
  return { sockets, host, controller, fetchMock };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('backoffDelay', () => {
  it('starts at 1 s and doubles up to 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, 0.5))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });

  it('jitters by ±20 % and never exceeds the cap', () => {
    expect(backoffDelay(0, 0)).toBe(800);
    expect(backoffDelay(0, 0.999_999)).toBe(1200);
    expect(backoffDelay(8, 0)).toBe(24_000);
    expect(backoffDelay(8, 0.999_999)).toBe(30_000);
  });
});

describe('MergerConnectionController', () => {
  it('registers with its host and connects only when the host is connected', () => {
    const { host, sockets, controller } = setup();
    expect(host.controllers).toEqual([controller]);
    expect(sockets).toHaveLength(0);
    controller.hostConnected();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]?.url).toBe('ws://merger.test/api/live');
    expect(controller.state).toBe('connecting');
  });

  it('goes open, fetches the latest window, and takes live windows', async () => {
    const { sockets, controller, fetchMock, host } = setup(
      async () => new Response(JSON.stringify(windowMessage(1000))),
    );
    controller.hostConnected();
    sockets[0]?.open();
    expect(controller.state).toBe('open');
    expect(fetchMock).toHaveBeenCalledOnce();
    expect(fetchMock.mock.calls[0]?.[0]).toBe('http://merger.test/api/live/latest');
    await vi.waitFor(() => expect(controller.latest?.start).toBe(1000));
    const before = host.updates;
    sockets[0]?.send(windowMessage(11_000));
    expect(controller.latest?.start).toBe(11_000);
    expect(host.updates).toBeGreaterThan(before);
  });

  it('treats 204 from /api/live/latest as no window yet', async () => {
    const { sockets, controller, fetchMock } = setup();
    controller.hostConnected();
    sockets[0]?.open();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledOnce());
    await Promise.resolve();
    expect(controller.latest).toBeNull();
    expect(controller.state).toBe('open');
  });

  it('ignores a fetched window older than a live window that overtook it', async () => {
    let resolve!: (r: Response) => void;
    const { sockets, controller } = setup(() => new Promise<Response>((r) => (resolve = r)));
    controller.hostConnected();
    sockets[0]?.open();
    sockets[0]?.send(windowMessage(21_000));
    resolve(new Response(JSON.stringify(windowMessage(11_000))));
    await vi.advanceTimersByTimeAsync(0);
    expect(controller.latest?.start).toBe(21_000);
  });

  it('ignores malformed messages and keeps the last good window', () => {
    const { sockets, controller } = setup();
    controller.hostConnected();
    sockets[0]?.open();
    sockets[0]?.send(windowMessage(1000));
    sockets[0]?.onmessage?.({ data: 'not json' } as MessageEvent);
    sockets[0]?.send({ type: 'window', start: 2000 });
    sockets[0]?.send({ type: 'hello' });
    expect(controller.latest?.start).toBe(1000);
  });

  it('reconnects with backoff after the socket drops, keeping the last window', async () => {
    const { sockets, controller } = setup();
    controller.hostConnected();
    sockets[0]?.open();
    sockets[0]?.send(windowMessage(1000));
    sockets[0]?.drop();
    expect(controller.state).toBe('retrying');
    expect(controller.latest?.start).toBe(1000);
    expect(sockets).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(999);
    expect(sockets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(2);
    expect(controller.state).toBe('retrying');

    sockets[1]?.drop(); // second failure: 2 s
    await vi.advanceTimersByTimeAsync(1999);
    expect(sockets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(sockets).toHaveLength(3);

    sockets[2]?.open(); // success resets the backoff
    expect(controller.state).toBe('open');
    sockets[2]?.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(sockets).toHaveLength(4);
  });

  it('closes the socket and stops retrying when the host disconnects', async () => {
    const { sockets, controller } = setup();
    controller.hostConnected();
    sockets[0]?.open();
    controller.hostDisconnected();
    expect(sockets[0]?.closed).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(1);

    controller.hostConnected();
    expect(sockets).toHaveLength(2);
    sockets[1]?.drop();
    controller.hostDisconnected();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(sockets).toHaveLength(2);
  });

  it('retries at once on retryNow', () => {
    const { sockets, controller } = setup();
    controller.hostConnected();
    sockets[0]?.drop();
    expect(controller.retryAt).not.toBeNull();
    controller.retryNow();
    expect(sockets).toHaveLength(2);
    expect(controller.retryAt).toBeNull();
  });
});
