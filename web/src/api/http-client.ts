import { apiErrorBody } from '@app/common';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** An HTTP failure with the server's stable error code (`{"error":{"code","message"}}`). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const isAbortError = (error: unknown): boolean =>
  error instanceof DOMException
    ? error.name === 'AbortError'
    : error instanceof Error && error.name === 'AbortError';

export interface RequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface HttpClient {
  /** Sends a JSON request and returns the parsed JSON answer (undefined for 202/204). */
  json<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  /** Sends a JSON request and returns the raw response once it is known to be a success. */
  raw(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<Response>;
}

export interface HttpClientOptions {
  /** Injected transport; tests pass a fake. Defaults to the global fetch, looked up per call. */
  fetch?: FetchLike;
  baseUrl?: string;
}

const statusFallback = (status: number): { code: string; message: string } => {
  if (status === 401) return { code: 'unauthorized', message: 'Please sign in again.' };
  if (status === 403) return { code: 'forbidden', message: 'You are not allowed to do that.' };
  if (status === 404) return { code: 'not_found', message: 'Not found.' };
  if (status === 429) return { code: 'rate_limited', message: 'Too many requests. Try again in a moment.' };
  if (status >= 500) return { code: 'internal', message: `The server had a problem (HTTP ${status}).` };
  return { code: 'bad_request', message: `The request failed (HTTP ${status}).` };
};

/** Turns a failed response into an ApiError, whatever its body looks like. */
export async function toApiError(response: Response): Promise<ApiError> {
  const fallback = statusFallback(response.status);
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return new ApiError(response.status, fallback.code, fallback.message);
  }
  const parsed = apiErrorBody.safeParse(body);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(response.status, code, message, details);
  }
  // better-auth answers `{code: "INVALID_EMAIL_OR_PASSWORD", message}` at the top level.
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
    const code = 'code' in body && typeof body.code === 'string' ? body.code.toLowerCase() : fallback.code;
    return new ApiError(response.status, code, body.message);
  }
  return new ApiError(response.status, fallback.code, fallback.message);
}

const unauthorizedListeners = new Set<(path: string) => void>();

/**
 * Calls `listener` with the path of every request the server answered 401 (the session ended: signed
 * out elsewhere, expired, revoked). Returns the unsubscribe function.
 */
export function onUnauthorized(listener: (path: string) => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const baseUrl = options.baseUrl ?? '';
  const doFetch: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function raw(method: string, path: string, body?: unknown, request: RequestOptions = {}) {
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'include',
        signal: request.signal,
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new ApiError(0, 'network', 'Could not reach the server. Check your connection and try again.');
    }
    if (response.status === 401) for (const listener of unauthorizedListeners) listener(path);
    if (!response.ok) throw await toApiError(response);
    return response;
  }

  async function json<T>(method: string, path: string, body?: unknown, request?: RequestOptions) {
    const response = await raw(method, path, body, request);
    if (response.status === 204 || response.status === 202) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return { json, raw };
}
