// One GET of the merger's API: JSON back, the server's message on an error, and a sign-in (returning to
// the same URL) when the session has expired.

export class ApiFailure extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export async function getJson<T = any>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await request(url, signal);
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiFailure((body as { error?: string } | null)?.error ?? `HTTP ${res.status}`, res.status);
  return body as T;
}

/** getBytes is a binary answer (the heatmap's grid). */
export async function getBytes(url: string, signal?: AbortSignal): Promise<ArrayBuffer> {
  const res = await request(url, signal);
  if (!res.ok) throw new ApiFailure(((await res.json().catch(() => null)) as { error?: string } | null)?.error ?? `HTTP ${res.status}`, res.status);
  return res.arrayBuffer();
}

async function request(url: string, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal, credentials: 'same-origin' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiFailure('merger unreachable', 0);
  }
  if (res.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiFailure('signed out: signing in again', 401);
  }
  return res;
}
