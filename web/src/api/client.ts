// The one fetch client: the session cookie goes along (same origin), every write carries the session's
// CSRF token (x-csrf-token), and an answer that is not 2xx becomes an ApiError with the server's
// envelope {error: {code, message}} — and, when the session is gone (401), the app is told once.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait (429 THROTTLED: the Retry-After header). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let sessionLost: (() => void) | null = null;

export const setCsrfToken = (token: string | null) => {
  csrfToken = token;
};

/** Called when any request answers 401 (the session expired or was revoked). */
export const onSessionLost = (fn: (() => void) | null) => {
  sessionLost = fn;
};

export type Query = Record<string, string | number | boolean | null | undefined>;

export const withQuery = (path: string, query?: Query): string => {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

export async function api<T>(
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
  path: string,
  o: { query?: Query; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(withQuery(path, o.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'the server cannot be reached');
  }
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error;
    const retry = Number(res.headers.get('retry-after'));
    const e = new ApiError(
      res.status,
      err?.code ?? `HTTP_${res.status}`,
      err?.message ?? res.statusText,
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
    const signingIn = method === 'POST' && path === '/api/session';
    if (res.status === 401 && !signingIn) sessionLost?.();
    throw e;
  }
  return data as T;
}
