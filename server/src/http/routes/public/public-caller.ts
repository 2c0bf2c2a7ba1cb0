import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { EMBED_ORIGIN_HEADER } from '@app/common';
import type { PublicCaller } from '../../../services/publishing/public-chat-service.js';

/** What the public routes read of a request: the bearer token, the origins, the client address. */
export function publicCaller(request: FastifyRequest): PublicCaller {
  const embed = request.headers[EMBED_ORIGIN_HEADER];
  return {
    authorization: request.headers.authorization,
    origin: request.headers.origin,
    embedOrigin: Array.isArray(embed) ? embed[0] : embed,
    ip: normalizeIP(request.ip),
  };
}
