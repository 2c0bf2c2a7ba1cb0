import { z } from 'zod';
import { resourceId } from '../id.schemas.js';

export { idParams } from '../id.schemas.js';

/** Where the client stands in the live answer (from the conversation read's `live`). */
export const liveQuery = z
  .object({
    after: z.coerce
      .number()
      .int()
      .min(0)
      .max(100_000_000)
      .default(0)
      .describe(
        "How much of the live answer the client has (the read's live.seq); the stream continues from there",
      ),
    assistantMessageId: resourceId
      .optional()
      .describe('The live answer `after` refers to; another answer is streamed from its start'),
  })
  .strict();

/** The stream itself (not JSON): its events are listed in docs/sse-protocol.md. */
export const liveStream = z
  .string()
  .describe(
    'text/event-stream that stays open: `ready` {conversationId, updatedAt, live}, then for the live answer ' +
      '`meta` {…, seq} and the missing text as `delta` {text, seq}, then live deltas and `done` | `error`; ' +
      'each new turn (any tab, any instance) as `turn` {userMessage, assistantMessage, removedMessageIds} ' +
      'followed by its run. A `: ping` comment every 15 s of silence. Leaving never stops an answer.',
  );
