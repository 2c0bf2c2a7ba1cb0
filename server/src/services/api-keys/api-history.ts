import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/database.js';
import { conversations, messages } from '../../db/schema.js';
import type { LlmMessage } from '../../llm/client.js';
import { conversationTitle } from '../chat/conversation-title.js';
import type { CompletionResult } from './completion-types.js';

/**
 * Opt-in history of the chatbot API (`X-Chatbot-Store: true`): the exchange becomes a conversation
 * of the chatbot, marked `source: api`, in the owner's own list. The caller's user and assistant
 * messages and the answer are kept (system and tool messages are not: they are the caller's
 * plumbing). One transaction after the answer: nothing is written per token.
 */
export class ApiHistory {
  constructor(private readonly db: Db) {}

  async store(
    userId: string,
    chatbot: { id: string; model: string },
    sent: readonly LlmMessage[],
    result: CompletionResult,
  ): Promise<void> {
    const kept = sent.filter((message) => message.role === 'user' || message.role === 'assistant');
    const firstUser = kept.find((message) => message.role === 'user');
    const conversationId = randomUUID();
    const at = Date.now();
    let parentId: string | null = null;
    const rows = [...kept, { role: 'assistant' as const, content: answerText(result) }].map(
      (message, index) => {
        const id = randomUUID();
        const row = {
          id,
          conversationId,
          parentId,
          role: message.role as 'user' | 'assistant',
          content: message.content,
          status: 'complete' as const,
          model: message.role === 'assistant' ? chatbot.model : null,
          // Apart by a millisecond each: the conversation reads in the order sent.
          createdAt: new Date(at - kept.length + index),
          updatedAt: new Date(at - kept.length + index),
        };
        parentId = id;
        return row;
      },
    );
    const last = rows.at(-1)!;
    Object.assign(last, {
      status: result.error ? 'error' : 'complete',
      errorCode: result.error?.code ?? null,
      finishReason: result.finishReason,
      promptTokens: result.usage.promptTokens,
      completionTokens: result.usage.completionTokens,
    });
    await this.db.transaction(async (tx) => {
      await tx.insert(conversations).values({
        id: conversationId,
        chatbotId: chatbot.id,
        userId,
        title: conversationTitle(firstUser?.content ?? 'API request'),
        source: 'api',
        activeMessageId: last.id,
      });
      await tx.insert(messages).values(rows);
    });
  }
}

/** What the reader of the inbox sees of an answer that called functions. */
function answerText(result: CompletionResult): string {
  const calls = result.toolCalls.map((call) => `→ ${call.name}(${call.arguments})`).join('\n');
  return [result.text, calls].filter(Boolean).join('\n\n');
}
