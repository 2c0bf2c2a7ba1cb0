import type { MockErrorKind } from './mock-llm-types.js';

/** Which status an error kind answers with, and which kind a bare status stands for (every flavour). */
const kindByStatus: Record<number, MockErrorKind> = {
  400: 'bad_request',
  401: 'auth',
  403: 'auth',
  404: 'model_not_found',
  408: 'timeout',
  429: 'rate_limit',
  500: 'server',
  502: 'unavailable',
  503: 'unavailable',
};

export const statusByKind: Record<MockErrorKind, number> = {
  auth: 401,
  rate_limit: 429,
  server: 500,
  unavailable: 503,
  bad_request: 400,
  context_length: 400,
  content_filter: 400,
  model_not_found: 404,
  timeout: 408,
};

export function errorKindForStatus(status: number): MockErrorKind {
  return kindByStatus[status] ?? (status >= 500 ? 'server' : 'bad_request');
}
