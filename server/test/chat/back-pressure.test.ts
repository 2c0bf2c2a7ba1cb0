import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMetaEvent } from '@app/common';
import { ChatService } from '../../src/services/chat/chat-service.js';
import type { TurnSink } from '../../src/services/chat/chat-types.js';
import { ChatbotService } from '../../src/services/chatbot-service.js';
import type { RunEnd } from '../../src/services/runs/live-run.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { FakeLlmClient } from '../helpers/fake-llm-client.js';
import { userWithChatbot, waitFor } from './chat-fixtures.js';

/** A transport that is full (write() returned false) until the test drains it. */
class FullSink implements TurnSink {
  meta: ChatMetaEvent | null = null;
  readonly deltas: Array<{ text: string; seq: number }> = [];
  ended: RunEnd | null = null;
  full = true;
  private waiting: Array<() => void> = [];

  start(meta: ChatMetaEvent): void {
    this.meta = meta;
  }
  delta(text: string, seq: number): boolean {
    this.deltas.push({ text, seq });
    return !this.full;
  }
  drained(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
  end(end: RunEnd): void {
    this.ended = end;
  }
  get waiters(): number {
    return this.waiting.length;
  }
  get text(): string {
    return this.deltas.map((delta) => delta.text).join('');
  }
  drain(): void {
    this.full = false;
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

/**
 * Issue 20: a turn is a run. A viewer whose transport is full never holds it back (nor the others
 * watching): it stops being written to, and once drained it gets what it missed from the run's
 * buffer, coalesced, then the end — no duplicate, no gap.
 */
describe('back-pressure on the token path', () => {
  let t: TestApp;
  let alice: { userId: string; chatbotId: string };

  beforeAll(async () => {
    t = await buildTestApp();
    alice = await userWithChatbot(t, 'alice@example.com');
  });
  afterAll(() => t.close());

  function service(llm: FakeLlmClient) {
    const chatbots = new ChatbotService(t.database.db, {
      defaultModel: 'chat-default',
      defaultMaxTokens: 100,
      maxTokensCeiling: 1000,
      assertModelAllowed: async () => {},
    });
    return new ChatService(t.database.db, llm, chatbots, {
      historyMaxChars: 10_000,
      assertModelAllowed: async () => {},
    });
  }

  it('a full transport does not hold the run back; once drained it gets the rest, then the end', async () => {
    const llm = new FakeLlmClient().queueText('a b c d e f g h');
    const sink = new FullSink();
    const outcome = await service(llm).chat(alice.userId, alice.chatbotId, { message: 'flood' }, sink);
    // The run read the upstream to its end and saved it while the caller's transport was full.
    expect(outcome).toMatchObject({ status: 'complete', content: 'a b c d e f g h' });
    expect(sink.deltas).toEqual([{ text: 'a', seq: 1 }]);
    expect(sink.ended).toBeNull();
    sink.drain();
    await waitFor(() => sink.ended !== null);
    // One coalesced piece for what it missed: no duplicate, no gap, the seq at the end.
    expect(sink.deltas).toEqual([
      { text: 'a', seq: 1 },
      { text: ' b c d e f g h', seq: 15 },
    ]);
    expect(sink.text).toBe(outcome.content);
    expect(sink.ended).toMatchObject({ event: 'done', data: { seq: 15 } });
  });

  it("a Stop while the caller's transport is full ends the run at once", async () => {
    const llm = new FakeLlmClient().queueStream([
      ...FakeLlmClient.replySteps('a b c d').filter((step) => step.type !== 'done'),
      { type: 'hang' },
    ]);
    const chat = service(llm);
    const sink = new FullSink();
    const running = chat.chat(alice.userId, alice.chatbotId, { message: 'stuck' }, sink);
    await waitFor(() => sink.waiters === 1 && chat.runs.current(sink.meta!.conversationId)?.seq === 7);
    expect(chat.stop(alice.userId, sink.meta!.assistantMessageId)).toBe(true);
    expect(await running).toMatchObject({ status: 'stopped', content: 'a b c d' });
    sink.drain();
    await waitFor(() => sink.ended !== null);
    expect(sink.text).toBe('a b c d');
    expect(sink.ended).toMatchObject({ event: 'error', data: { code: 'aborted', seq: 7 } });
  });
});
