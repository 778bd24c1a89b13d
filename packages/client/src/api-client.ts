import type { ErrorBody } from '@salon/protocol/wire';

/** An HTTP answer that was not 2xx, with the server's stable code and sentence. */
export class SalonApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** Seconds to wait before trying again (from Retry-After), when the server said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: string, status: number, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'SalonApiError';
    this.code = code;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  auth: 'cookie' | 'token';
  token: string | undefined;
}

/** JSON over HTTP to the Salon API, with the session's credentials. */
export class ApiClient {
  readonly baseUrl: string;
  readonly auth: 'cookie' | 'token';
  token: string | undefined;

  constructor(opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.auth = opts.auth;
    this.token = opts.token;
  }

  /** Headers that authenticate a request (none in cookie mode: the browser sends the cookie). */
  authHeaders(): Record<string, string> {
    return this.auth === 'token' && this.token !== undefined
      ? { authorization: `Bearer ${this.token}` }
      : {};
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          accept: 'application/json',
          ...this.authHeaders(),
        },
        credentials: 'include',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new SalonApiError(
        'NETWORK',
        0,
        'The server could not be reached. Check your connection.',
      );
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json as Partial<ErrorBody> | undefined)?.error;
      const retry = res.headers.get('retry-after');
      throw new SalonApiError(
        err?.code ?? 'HTTP_ERROR',
        res.status,
        err?.message ?? `The server answered ${String(res.status)}.`,
        retry === null ? undefined : Number(retry),
      );
    }
    return json as T;
  }
}
