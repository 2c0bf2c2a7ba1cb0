import type { GeneratePromptBody, GeneratePromptResult } from '@app/common';
import type { GenerateResult, LlmClient, LlmMessage } from '../llm/client.js';
import { LlmError } from '../llm/llm-errors.js';
import { AppError } from '../errors.js';
import { chargeCall, reachedUpstream, type CallCharge } from './limits/call-charge.js';
import { promptGenerationMessages } from './prompts/meta-prompt.js';
import type { UsageService } from './usage-service.js';
import type { CallAdmission, CallRequest } from './chat/chat-types.js';

export interface PromptServiceOptions {
  /** LLM_MODEL_PROMPT_GEN: a lighter model, not user-selectable. */
  model: string;
  /** Plan limits that apply to every LLM call of a user (input, streams, budget); throws when refused. */
  admit?: (call: CallRequest) => Promise<CallAdmission>;
}

/** Upper bound of a generated prompt; the chatbot form accepts longer, a generator needs no more. */
const PROMPT_MAX_TOKENS = 800;

/** Writes a system prompt for a chatbot from a short description. */
export class PromptService {
  constructor(
    private readonly llm: LlmClient,
    private readonly usage: UsageService,
    private readonly options: PromptServiceOptions,
  ) {}

  async generate(
    userId: string,
    body: GeneratePromptBody,
    signal?: AbortSignal,
  ): Promise<GeneratePromptResult> {
    const { model } = this.options;
    const messages = promptGenerationMessages(body);
    const call: CallRequest = {
      userId,
      model,
      inputChars: body.description.length,
      promptChars: messages.reduce((total, message) => total + message.content.length, 0),
      maxTokens: PROMPT_MAX_TOKENS,
    };
    const admission = await (this.options.admit ?? admitAll)(call);
    try {
      return await this.generateAdmitted(userId, messages, signal, admission);
    } finally {
      await admission.release();
    }
  }

  private async generateAdmitted(
    userId: string,
    messages: LlmMessage[],
    signal: AbortSignal | undefined,
    admission: CallAdmission,
  ): Promise<GeneratePromptResult> {
    const { model } = this.options;
    let result: GenerateResult;
    try {
      result = await this.llm.generate(messages, {
        model,
        temperature: 0.4,
        maxTokens: admission.maxTokens,
        endUserId: userId,
        metadata: { purpose: 'prompt_generation' },
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      // Aborted, timed out or cut while in flight: the upstream may bill the prompt, so it is
      // charged (counted here); a refusal by the upstream (an HTTP error) is not.
      const reached = error instanceof LlmError && reachedUpstream(error);
      const charge = admission.charge({
        reachedUpstream: reached,
        reportedUsage: null,
        reportedCostUsd: null,
        prompt: messages,
        completion: '',
      });
      // The LlmError propagates either way: the HTTP layer maps it to 429/502/503/504.
      if (charge) await this.account(userId, admission, charge).catch(() => {});
      throw error;
    }
    const charge = admission.charge({
      reachedUpstream: true,
      reportedUsage: result.usage,
      reportedCostUsd: result.costUsd,
      prompt: messages,
      completion: result.text,
    });
    if (charge) await this.account(userId, admission, charge);
    const systemPrompt = cleanPrompt(result.text);
    if (systemPrompt === '')
      throw new AppError('upstream', 'The model returned an empty prompt; please try again.');
    return { systemPrompt, model };
  }

  /** One charge, two places: the ledger row (usage_records) and the budget. */
  private async account(userId: string, admission: CallAdmission, charge: CallCharge): Promise<void> {
    await admission.settle(charge);
    await this.usage.record({
      userId,
      chatbotId: null,
      kind: 'prompt',
      model: this.options.model,
      promptTokens: charge.promptTokens,
      completionTokens: charge.completionTokens,
      costUsd: charge.costUsd,
      costEstimated: charge.costEstimated,
      tokensEstimated: charge.tokensEstimated,
    });
  }
}

/** Without plan limits: charged like any call (no catalog price), never refused. */
const admitAll = async (call: CallRequest): Promise<CallAdmission> => ({
  maxTokens: call.maxTokens,
  charge: (finished) => chargeCall(finished, undefined, call.maxTokens),
  settle: async () => {},
  release: async () => {},
});

/** Models like to wrap answers in a code fence or quotes despite being told not to. */
function cleanPrompt(text: string): string {
  let prompt = text.trim();
  const fenced = /^```[a-z]*\n([\s\S]*?)\n```$/i.exec(prompt);
  if (fenced?.[1]) prompt = fenced[1].trim();
  if (prompt.length > 1 && prompt.startsWith('"') && prompt.endsWith('"'))
    prompt = prompt.slice(1, -1).trim();
  return prompt;
}
