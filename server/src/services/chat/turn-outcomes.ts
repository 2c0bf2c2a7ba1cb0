import type { ChatErrorEvent } from '@app/common';
import type { LlmError } from '../../llm/llm-errors.js';
import { AppError } from '../../errors.js';
import type { AbortReason } from './live-turn.js';
import type { TurnOutcome, TurnStatus } from './chat-types.js';

/** Abort reasons → the stored status and the error the client is told. */
export const abortOutcome: Record<AbortReason, { status: TurnStatus; error: ChatErrorEvent }> = {
  stopped: { status: 'stopped', error: { code: 'aborted', message: 'The answer was stopped.' } },
  interrupted: {
    status: 'interrupted',
    error: {
      code: 'service_unavailable',
      message: 'The server is restarting; the partial answer was saved.',
    },
  },
  timeout: {
    status: 'error',
    error: { code: 'timeout', message: 'The answer took too long and was cut off.' },
  },
  too_long: {
    status: 'error',
    error: { code: 'upstream', message: 'The answer was too long and was cut off.' },
  },
};

/** A failure before output, as the HTTP error the client gets (with the ids, so it can reload). */
export function toAppError(outcome: TurnOutcome, cause: LlmError | undefined): AppError {
  const error = outcome.error ?? { code: 'upstream', message: 'The model did not answer.' };
  const code = (cause?.code ?? error.code) as AppError['code'];
  return new AppError(code, error.message, {
    details: outcome.meta,
    ...(cause?.retryAfterMs !== undefined ? { retryAfterSeconds: cause.retryAfterMs / 1000 } : {}),
    cause,
  });
}
