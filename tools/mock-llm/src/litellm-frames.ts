import type { StreamFrames } from './chat-wire.js';
import { litellmStreamUsage, type UsageStyle } from './litellm-usage.js';
import type { MockErrorKind } from './mock-llm-types.js';
import { pythonJsonDumps } from './python-format.js';
import { toolCallDeltas } from './tool-call-plan.js';

export interface LitellmFramesSetup {
  headers: Record<string, string>;
  id: string;
  created: number;
  /** The requested alias: every chunk's `model`, fallback or not. */
  model: string;
  /** Only when the provider sent one (OpenAI). */
  systemFingerprint: string | null;
  includeUsage: boolean;
  usageStyle: UsageStyle;
  promptTokens: number;
  /** USD per token, or null to leave `usage.cost` out. */
  pricing: { input: number; output: number } | null;
  /** The in-band error body for a kind (serialised by Python's `json.dumps`, spaces and all). */
  errorBody: (kind: MockErrorKind) => unknown;
}

/**
 * LiteLLM's chunks: only `id`, `created`, `model`, `object`, `system_fingerprint` (if any) and
 * `choices`, in that order; choices without `finish_reason: null` or `logprobs`; the role merged
 * into the first delta after its content; a `{"finish_reason":…,"index":0,"delta":{}}` chunk; a usage
 * chunk with `choices: [{"index":0,"delta":{}}]`.
 */
export function litellmFrames(setup: LitellmFramesSetup): StreamFrames {
  const fingerprint =
    setup.systemFingerprint === null
      ? ''
      : `,"system_fingerprint":${JSON.stringify(setup.systemFingerprint)}`;
  const head = `data: {"id":${JSON.stringify(setup.id)},"created":${setup.created},"model":${JSON.stringify(setup.model)},"object":"chat.completion.chunk"${fingerprint},"choices":`;
  let started = false;
  const delta = (key: string, text: string) => {
    const role = started ? '' : ',"role":"assistant"';
    started = true;
    return `${head}[{"index":0,"delta":{"${key}":${JSON.stringify(text)}${role}}}]}\n\n`;
  };
  return {
    headers: setup.headers,
    open: () => '',
    reasoning: (text) => delta('reasoning_content', text),
    content: (text) => delta('content', text),
    // LiteLLM relays the provider's tool-call pieces; the role rides on the first, as with text.
    toolCall: (call) =>
      toolCallDeltas(call)
        .map((piece, index) => {
          const body = index === 0 ? { ...piece, role: 'assistant' } : piece;
          started = true;
          return `${head}[{"index":0,"delta":${JSON.stringify(body)}}]}\n\n`;
        })
        .join(''),
    finish: (reason) => `${head}[{"finish_reason":"${reason}","index":0,"delta":{}}]}\n\n`,
    usage(completionTokens, reasoningTokens) {
      if (!setup.includeUsage) return '';
      const completion = completionTokens + reasoningTokens;
      // Rounded like a price list, not left with binary noise (0.00004759999999999999).
      const cost = setup.pricing
        ? Number(
            (setup.promptTokens * setup.pricing.input + completion * setup.pricing.output).toPrecision(12),
          )
        : undefined;
      const usage = litellmStreamUsage(
        setup.usageStyle,
        { prompt: setup.promptTokens, completion, reasoning: reasoningTokens },
        cost,
      );
      return `${head}[{"index":0,"delta":{}}],"usage":${JSON.stringify(usage)}}\n\n`;
    },
    done: () => 'data: [DONE]\n\n',
    malformed: () => `${head}[{"index":0,"delta":{"content":"unterminated\n\n`,
    inbandError: (kind) => `data: ${pythonJsonDumps(setup.errorBody(kind))}\n\n`,
  };
}
