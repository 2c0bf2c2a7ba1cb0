import type { ApiKeyList, ApiKeyUsage, CreateApiKeyBody, CreatedApiKey } from '@app/common';
import { createHttpClient, type HttpClient } from './http-client';

/** A chatbot and the `model` it answers to on /v1 (its slug). */
export interface ApiChatbot {
  id: string;
  name: string;
  slug: string;
}

export interface ApiKeysApi {
  list(): Promise<ApiKeyList>;
  create(body: CreateApiKeyBody): Promise<CreatedApiKey>;
  revoke(id: string): Promise<void>;
  chatbots(): Promise<ApiChatbot[]>;
  /** One month's usage per key (`2026-12`). */
  usage(month: string): Promise<ApiKeyUsage[]>;
}

export function createApiKeysApi(http: HttpClient): ApiKeysApi {
  return {
    list: () => http.json('GET', '/api/api-keys'),
    create: (body) => http.json('POST', '/api/api-keys', body),
    revoke: (id) => http.json('DELETE', `/api/api-keys/${encodeURIComponent(id)}`),
    chatbots: () => http.json('GET', '/api/api-keys/chatbots'),
    usage: (month) => http.json('GET', `/api/api-keys/usage?month=${encodeURIComponent(month)}`),
  };
}

/** The app's instance (global fetch, looked up per call). */
export const apiKeysApi: ApiKeysApi = createApiKeysApi(createHttpClient());
