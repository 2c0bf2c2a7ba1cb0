import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.js';
import { bearerSecret } from '../../../services/api-keys/api-key-secret.js';
import type { ApiKeyService, VerifiedKey } from '../../../services/api-keys/api-key-service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API key of a /v1 request (bearer), once verified. */
    apiKey: VerifiedKey | null;
  }
}

const MISSING = 'No API key: send `Authorization: Bearer cbk_…` with a key made on the API keys page.';
const INVALID = 'Invalid API key: it does not exist, was revoked or has expired.';

/**
 * The /v1 routes' only identity: the bearer key. Cookies are never read here (the session hook
 * only looks at /api/*), so a browser's ambient session cannot act through these routes. The key's
 * owner becomes `request.user` for the plan's rate limit, which counts per user on every route.
 */
export function keyAuthHook(keys: Pick<ApiKeyService, 'verify'>) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const secret = bearerSecret(request.headers.authorization);
    if (!secret) throw new AppError('unauthorized', MISSING);
    const key = await keys.verify(secret);
    if (!key) throw new AppError('unauthorized', INVALID);
    request.apiKey = key;
    request.user = key.owner;
  };
}
