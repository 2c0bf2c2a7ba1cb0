import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

/**
 * Token counts for calls the upstream never reported usage for (a turn stopped, cut or timed out):
 * what the ledger and the budget charge then. One encoding for every model, o200k_base (GPT-4o,
 * GPT-4.1, GPT-5, the o-series): model ids are opaque aliases and the catalog does not say which
 * tokenizer a model uses, so other families (Claude, Gemini, Llama…) are counted approximately with it.
 *
 * Counted once per call, after it ended, never per token. BPE is quadratic in the length of one
 * pre-tokenised piece (48,000 × "x" takes over a second on one core), so runs of more than
 * MAX_RUN characters without a change between space and non-space are counted in slices of MAX_RUN:
 * ordinary text has no such run and is counted exactly; a pathological one stays linear.
 */
const MAX_RUN = 64;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}|\\s{${MAX_RUN + 1},}`, 'g');
/** Special-token text (`<|endoftext|>`) in a message is counted as ordinary text, never refused. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * Per message: the chat framing (`<|im_start|>`, `<|im_sep|>`, `<|im_end|>`) and the role's one
 * token; per request: the reply's priming. As OpenAI's own counting recipe does.
 */
const TOKENS_PER_MESSAGE = 4;
const TOKENS_PER_REPLY = 3;

/** Tokens of a text with the o200k_base encoding (see above for long runs). */
export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  let total = 0;
  let last = 0;
  for (const match of text.matchAll(LONG_RUN)) {
    if (match.index > last) total += countTokens(text.slice(last, match.index), AS_TEXT);
    const run = match[0];
    for (let start = 0; start < run.length; start += MAX_RUN) {
      total += countTokens(run.slice(start, start + MAX_RUN), AS_TEXT);
    }
    last = match.index + run.length;
  }
  if (last < text.length) total += countTokens(last === 0 ? text : text.slice(last), AS_TEXT);
  return total;
}

/** Tokens of a chat request's messages: their contents plus the chat framing. */
export function countPromptTokens(messages: ReadonlyArray<{ content: string }>): number {
  let total = TOKENS_PER_REPLY;
  for (const message of messages) total += TOKENS_PER_MESSAGE + countTextTokens(message.content);
  return total;
}
