import type { MockErrorKind, MockFault } from './mock-llm-types.js';

/** `[[mock:key=value,flag]]` anywhere in a message; several markers merge. */
const markerPattern = /\[\[mock:([^\]]*)\]\]/g;

const errorKinds = new Set<MockErrorKind>([
  'auth',
  'rate_limit',
  'server',
  'unavailable',
  'bad_request',
  'context_length',
  'content_filter',
  'model_not_found',
  'timeout',
]);

const numericKeys: Record<string, keyof MockFault> = {
  status: 'status',
  retryafter: 'retryAfter',
  retryafterms: 'retryAfterMs',
  ttft: 'ttftMs',
  ttftms: 'ttftMs',
  'stall-after': 'stallAfter',
  'cut-after': 'cutAfter',
  'reset-after': 'resetAfter',
  'malformed-after': 'malformedAfter',
  'inband-error-after': 'inbandErrorAfter',
  oversized: 'oversized',
  slow: 'slowMs',
  deltas: 'deltas',
  reasoning: 'reasoning',
};

const flagKeys: Record<string, keyof MockFault> = {
  hang: 'hang',
  endless: 'endless',
  'no-usage': 'noUsage',
  oversized: 'oversized',
  fallback: 'fallback',
  'no-fallback': 'noFallback',
};

export interface ParsedMarkers {
  fault: MockFault | null;
  /** The text with the markers removed. */
  text: string;
}

/** Reads fault markers from a user message. Unknown keys are ignored so typos fail visibly (no fault). */
export function parseFaultMarkers(text: string): ParsedMarkers {
  if (!text.includes('[[mock:')) return { fault: null, text };
  const fault: Record<string, unknown> = {};
  const cleaned = text.replace(markerPattern, (_match, body: string) => {
    for (const part of body.split(',')) {
      const [rawKey = '', rawValue] = part.split('=', 2).map((piece) => piece.trim());
      const key = rawKey.toLowerCase();
      if (key === 'error' && rawValue && errorKinds.has(rawValue as MockErrorKind)) {
        fault.error = rawValue;
      } else if (key === 'fallback' && rawValue) {
        fault.fallbackTo = rawValue;
      } else if (key === 'transport' && (rawValue === 'aiohttp' || rawValue === 'httpx')) {
        fault.transport = rawValue;
      } else if (rawValue !== undefined && key in numericKeys) {
        const value = Number(rawValue);
        if (Number.isFinite(value) && value >= 0) fault[numericKeys[key] as string] = value;
      } else if (rawValue === undefined && key in flagKeys) {
        fault[flagKeys[key] as string] = key === 'oversized' ? 1024 * 1024 : true;
      }
    }
    return '';
  });
  return { fault: fault as MockFault, text: cleaned.trim() };
}
