import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { InviteService } from '../../../services/invites/invite-service.js';
import { commonErrors } from '../error.schemas.js';
import { adminGuard } from './admin-guard.js';
import { tags } from './admin.schemas.js';
import { createdInvite, createInviteBody, inviteIdParams, inviteView } from './invites.schemas.js';

export interface InvitesRoutesOptions {
  invites: InviteService;
  cliToken: string | null;
}

/** Invites for SIGNUP=invite: an admin session or the local CLI token; everyone else 404 (401 anonymous). */
export const invitesRoutes: FastifyPluginAsyncZod<InvitesRoutesOptions> = async (
  app,
  { invites, cliToken },
) => {
  const authorize = adminGuard(cliToken);

  app.post(
    '/api/admin/invites',
    {
      schema: {
        tags,
        summary: 'Create an invite link (single use); audited',
        body: createInviteBody,
        response: { 201: createdInvite, ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = authorize(request);
      const invite = await invites.create(
        { email: request.body.email ?? null, expiresInHours: request.body.expiresInHours },
        actor,
      );
      return reply.code(201).send(invite);
    },
  );

  app.get(
    '/api/admin/invites',
    {
      schema: {
        tags,
        summary: 'Invites, newest first, with their state (the codes are not kept)',
        response: { 200: z.array(inviteView), ...commonErrors },
      },
    },
    async (request) => {
      authorize(request);
      return invites.list();
    },
  );

  app.delete(
    '/api/admin/invites/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an invite: its link stops working at once; audited',
        params: inviteIdParams,
        response: { 204: z.null().describe('Revoked'), ...commonErrors },
      },
    },
    async (request, reply) => {
      const actor = authorize(request);
      await invites.revoke(request.params.id, actor);
      return reply.code(204).send(null);
    },
  );
};
