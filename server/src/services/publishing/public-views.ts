import type { ChatDoneEvent, ChatMessage, GalleryBot, PublicBot, PublicChatMessage } from '@app/common';
import type { RunEnd } from '../runs/live-run.js';
import type { EventOutput } from '../runs/conversation-viewer.js';
import { avatarUrlOf } from './publication-defaults.js';
import type { PublishedBot } from './publication-repository.js';

/**
 * What a visitor may see, built field by field (an allow-list: a column added later is never
 * shown by accident). Never the system prompt, the model, the owner, the limits or a cost.
 */
export function toPublicBot(bot: PublishedBot): PublicBot {
  return {
    slug: bot.slug,
    name: bot.name,
    greeting: bot.greeting,
    suggestions: bot.suggestions,
    appearance: {
      accent: bot.appearance.accent,
      theme: bot.appearance.theme,
      position: bot.appearance.position,
      title: bot.appearance.title,
      launcherIcon: bot.appearance.launcherIcon,
      avatarUrl: avatarUrlOf(bot.avatarFile),
    },
    mode: bot.mode === 'off' ? 'link' : bot.mode,
  };
}

export function toGalleryBot(bot: PublishedBot): GalleryBot {
  return {
    slug: bot.slug,
    name: bot.name,
    description: bot.description,
    avatarUrl: avatarUrlOf(bot.avatarFile),
  };
}

export function toPublicMessage(message: ChatMessage, feedback: 'up' | 'down' | null): PublicChatMessage {
  return {
    id: message.id,
    conversationId: message.conversationId,
    role: message.role,
    content: message.content,
    status: message.status,
    errorCode: message.errorCode ?? null,
    createdAt: message.createdAt,
    ...(message.role === 'assistant' ? { feedback } : {}),
  };
}

/** A run's end as a visitor sees it: no cost, no alias a fallback answered with. */
export function toPublicEnd(end: RunEnd): RunEnd {
  if (end.event !== 'done') return end;
  const data: ChatDoneEvent = {
    assistantMessageId: end.data.assistantMessageId,
    finishReason: end.data.finishReason,
    usage: end.data.usage,
    ...(end.data.seq === undefined ? {} : { seq: end.data.seq }),
  };
  return { event: 'done', data };
}

/**
 * The live stream's output for a visitor: `done` and `turn` events are rewritten (their messages
 * carry the model and the cost); `delta` and the others pass untouched, so no per-token cost.
 */
export function publicEventOutput(output: EventOutput): EventOutput {
  return {
    send: (event, json) => output.send(event, rewrite(event, json)),
    drained: () => output.drained(),
    get closed() {
      return output.closed;
    },
    end: () => output.end(),
  };
}

function rewrite(event: string, json: string): string {
  if (event === 'done') {
    return JSON.stringify(toPublicEnd({ event: 'done', data: JSON.parse(json) as ChatDoneEvent }).data);
  }
  if (event === 'turn') {
    const turn = JSON.parse(json) as {
      conversationId: string;
      userMessage: ChatMessage | null;
      assistantMessage: ChatMessage;
      removedMessageIds: string[];
    };
    return JSON.stringify({
      conversationId: turn.conversationId,
      userMessage: turn.userMessage ? toPublicMessage(turn.userMessage, null) : null,
      assistantMessage: toPublicMessage(turn.assistantMessage, null),
      removedMessageIds: turn.removedMessageIds,
    });
  }
  return json;
}
