import { parseArgs } from 'node:util';
import { mockFlavors, type LitellmTransport, type MockFlavor } from './flavor.js';
import { startMockLlm } from './mock-llm-server.js';
import type { MockModel } from './mock-llm-types.js';

// `npm run mock-llm -- --port 4010 [--ttft 300] [--inter-token 25] [--api-key sk-x] [--models a,b:anthropic]
//   [--flavor litellm|openai] [--transport aiohttp|httpx] [--fallbacks claude-default=chat-default]`
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    ttft: { type: 'string', default: '200' },
    'inter-token': { type: 'string', default: '25' },
    'api-key': { type: 'string' },
    models: { type: 'string' },
    flavor: { type: 'string' },
    transport: { type: 'string' },
    fallbacks: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`mock-llm: ${message}`);
  process.exit(2);
}

function number(name: string, value: string | undefined): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    fail(`--${name} must be a non-negative integer, got "${value}"`);
  return parsed;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) fail(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** `a=b+c,d=e`: alias a falls back to b then c; d to e (LiteLLM's router_settings.fallbacks). */
function fallbacksOf(value: string | undefined): Map<string, string[]> {
  const fallbacks = new Map<string, string[]>();
  for (const pair of value ? value.split(',') : []) {
    const [alias, targets] = pair.split('=').map((part) => part.trim());
    if (!alias || !targets) fail(`--fallbacks takes alias=fallback[+fallback],…, got "${pair}"`);
    fallbacks.set(
      alias,
      targets.split('+').map((target) => target.trim()),
    );
  }
  return fallbacks;
}

const flavor = oneOf<MockFlavor>('flavor', values.flavor, mockFlavors);
const transport = oneOf<LitellmTransport>('transport', values.transport, ['aiohttp', 'httpx']);
const fallbacks = fallbacksOf(values.fallbacks);
// `--models chat-default,claude-default:anthropic`: aliases, each with its provider (default openai).
const models: MockModel[] | undefined = values.models?.split(',').map((entry) => {
  const [id = '', provider] = entry.split(':').map((part) => part.trim());
  return { id, ...(provider ? { provider } : {}), fallbacks: fallbacks.get(id) };
});
if (!models && fallbacks.size > 0) fail('--fallbacks needs --models (the aliases it refers to)');

const mock = await startMockLlm({
  port: number('port', values.port),
  host: values.host,
  ttftMs: number('ttft', values.ttft),
  interTokenMs: number('inter-token', values['inter-token']),
  apiKey: values['api-key'] ?? null,
  maxRecordedRequests: 0,
  ...(flavor ? { flavor } : {}),
  ...(transport ? { litellm: { transport } } : {}),
  ...(models ? { models } : {}),
});
console.log(`mock-llm (${mock.flavor}) listening on ${mock.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void mock.close().then(() => process.exit(0));
  });
}
