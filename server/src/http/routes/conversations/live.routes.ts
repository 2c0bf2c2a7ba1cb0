import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ConversationService } from '../../../services/conversation-service.js';
import { ConversationViewer } from '../../../services/runs/conversation-viewer.js';
import type { RunHub } from '../../../services/runs/run-hub.js';
import { requireUser } from '../../plugins/auth.js';
import { SseWriter } from '../../sse.js';
import { commonErrors } from '../error.schemas.js';
import { idParams, liveQuery, liveStream } from './live.schemas.js';

const tags = ['conversations'];

/**
 * A conversation's live stream: its answer being written (from where the client stands) and every
 * turn that begins while it is open, wherever it runs. Owner-checked like every conversation route
 * (another user's id: 404). Closing it only detaches.
 */
export const liveRoutes: FastifyPluginAsyncZod<{ conversations: ConversationService; runs: RunHub }> = async (
  app,
  { conversations, runs },
) => {
  app.get(
    '/api/conversations/:id/live',
    {
      // A HEAD would open a stream that never ends.
      exposeHeadRoute: false,
      schema: {
        tags,
        summary: 'Follow a conversation: its live answer, then every new turn (text/event-stream)',
        params: idParams,
        querystring: liveQuery,
        response: { 200: liveStream, ...commonErrors },
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const conversationId = request.params.id;
      const sse = new SseWriter(reply, () => viewer.close());
      const viewer = new ConversationViewer(conversationId, sse);
      // Watching before reading the activity: a turn that begins after the read is announced.
      const [watch, activity] = await Promise.allSettled([
        runs.watch(conversationId, viewer),
        conversations.activity(user.id, conversationId),
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
