import type { ApiErrorBody } from './types';

const BASE = '/api/v1';
const TOKEN_KEY = 'tianshu.token';

/**
 * The session token lives in sessionStorage (not localStorage) so that closing the tab
 * ends the session and a shared workstation does not keep someone signed in.
 */
export const tokenStore = {
  get(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** An error answered by the API (or a transport failure, with status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly messageZh: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, messageZh: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.messageZh = messageZh;
    this.details = details;
  }

  /** The message in the portal's current language. */
  localized(lang: 'zh' | 'en'): string {
    return lang === 'zh' ? this.messageZh || this.message : this.message || this.messageZh;
  }
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/**
 * Lets the auth layer react to an expired or revoked session wherever the 401 happens,
 * without every page having to handle it.
 */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  /**
   * The login call itself answers 401 for a wrong password; that must be shown on the
   * form rather than treated as "session expired".
   */
  skipUnauthorizedRedirect?: boolean;
  signal?: AbortSignal;
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    // Empty strings are dropped so that a cleared search box means "no filter".
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const err = (value as { error: unknown }).error;
  return typeof err === 'object' && err !== null && 'code' in err;
}

async function parseError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // Proxies and crashed servers answer with HTML or nothing; fall through to a generic error.
  }
  if (isErrorBody(body)) {
    const e = body.error;
    return new ApiError(res.status, e.code, e.message, e.messageZh, e.details);
  }
  return new ApiError(
    res.status,
    `HTTP_${res.status}`,
    `The server answered ${res.status} ${res.statusText}`.trim(),
    `服务器返回 ${res.status} ${res.statusText}`.trim(),
  );
}

/** One round trip with the session token; non-2xx answers become ApiError. */
async function send(
  method: string,
  path: string,
  opts: Omit<RequestOptions, 'body'> & { body?: BodyInit; contentType?: string; accept?: string },
): Promise<Response> {
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
  const token = tokenStore.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.contentType) headers['Content-Type'] = opts.contentType;

  let res: Response;
  try {
    res = await fetch(`${BASE}${path}${buildQuery(opts.query)}`, {
      method,
      headers,
      body: opts.body,
      signal: opts.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK_ERROR', 'Cannot reach the server', '无法连接服务器');
  }

  if (!res.ok) {
    const error = await parseError(res);
    if (res.status === 401 && !opts.skipUnauthorizedRedirect) {
      tokenStore.clear();
      unauthorizedListeners.forEach((l) => l());
    }
    throw error;
  }
  return res;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const { body, ...rest } = opts;
  const res = await send(method, path, {
    ...rest,
    ...(body !== undefined ? { body: JSON.stringify(body), contentType: 'application/json' } : {}),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  // Some endpoints may answer 200/201 with an empty body; treat that like 204.
  return (text ? JSON.parse(text) : undefined) as T;
}

/** The file name from `Content-Disposition` (RFC 6266, including `filename*=UTF-8''…`). */
export function dispositionFilename(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header);
  return plain?.[1]?.trim() || undefined;
}

export interface Download {
  blob: Blob;
  filename: string | undefined;
}

export const http = {
  get: <T>(path: string, query?: Record<string, QueryValue>, signal?: AbortSignal) =>
    request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}) =>
    request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
  /**
   * A file behind the bearer token: a plain <a href> cannot send the Authorization header, so the
   * bytes are fetched here and handed to the page as a Blob.
   */
  download: async (path: string, query?: Record<string, QueryValue>): Promise<Download> => {
    const res = await send('GET', path, { query, accept: '*/*' });
    return { blob: await res.blob(), filename: dispositionFilename(res.headers.get('Content-Disposition')) };
  },
  /** Sends a file as the raw request body (no multipart), answering JSON. */
  upload: async <T>(path: string, file: Blob, contentType: string, query?: Record<string, QueryValue>): Promise<T> => {
    const res = await send('POST', path, { query, body: file, contentType });
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  },
};
