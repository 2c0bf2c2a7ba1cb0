import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../../errors.js';
import { CLI_ACTOR, type AuditActor } from '../../../services/admin/admin-audit.js';
import { requireUser } from '../../plugins/auth.js';

/**
 * Who may call an admin route: the local CLI token, or a signed-in admin. Anyone else signed in gets
 * the 404 an unknown route gets (the console's existence is not told); anonymous callers a 401.
 */
export function adminGuard(cliToken: string | null) {
  return (request: FastifyRequest): AuditActor => {
    const presented = request.headers['x-admin-token'];
    if (cliToken && typeof presented === 'string' && safeEqual(presented, cliToken)) return CLI_ACTOR;
    const user = requireUser(request);
    if (user.role !== 'admin') throw new AppError('not_found', 'Not found');
    return { userId: user.id, label: user.email };
  };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
