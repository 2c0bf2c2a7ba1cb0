import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Publishing } from '../../../services/publishing/create-publishing.js';
import { publicEventOutput } from '../../../services/publishing/public-views.js';
import { ConversationViewer } from '../../../services/runs/conversation-viewer.js';
import type { RunHub } from '../../../services/runs/run-hub.js';
import { SseWriter } from '../../sse.js';
import { liveQuery, liveStream } from '../conversations/live.schemas.js';
import { commonErrors } from '../error.schemas.js';
import { publicCaller } from './public-caller.js';
import { slugIdParams } from './public.schemas.js';

/**
 * A visitor's live stream of one of their conversations: the same stream as the app's
 * (routes/conversations/live.routes.ts), checked against the visitor token, its `done` and `turn`
 * events without cost or model (public-views.ts). Closing it only detaches.
 */
export const publicLiveRoutes: FastifyPluginAsyncZod<{ publishing: Publishing; runs: RunHub }> = async (
  app,
  { publishing, runs },
) => {
  app.get(
    '/api/public/bots/:slug/conversations/:id/live',
    {
      exposeHeadRoute: false,
      schema: {
        tags: ['public'],
        security: [{ visitorToken: [] }],
        summary: "Follow one of this visitor's conversations (text/event-stream, like the app's live stream)",
        params: slugIdParams,
        querystring: liveQuery,
        response: { 200: liveStream, ...commonErrors },
      },
    },
    async (request, reply) => {
      const context = await publishing.publicChat.visitor(request.params.slug, publicCaller(request));
      const conversationId = request.params.id;
      const sse = new SseWriter(reply, () => viewer.close());
      const viewer = new ConversationViewer(conversationId, publicEventOutput(sse));
      // Watching before reading the activity: a turn that begins after the read is announced.
      const [watch, activity] = await Promise.allSettled([
        runs.watch(conversationId, viewer),
        publishing.publicChat.activity(context, conversationId),
      ]);
      if (activity.status === 'rejected') {
        if (watch.status === 'fulfilled') watch.value.close();
        throw activity.reason;
      }
      if (watch.status === 'rejected') throw watch.reason;
      sse.open();
      if (sse.closed) {
        watch.value.close();
        return reply;
      }
      viewer.start(watch.value, activity.value.updatedAt, {
        after: request.query.after,
        ...(request.query.assistantMessageId ? { assistantMessageId: request.query.assistantMessageId } : {}),
      });
      return reply;
    },
  );
};
