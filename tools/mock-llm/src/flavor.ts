/**
 * Which real server the mock imitates.
 *
 * - `litellm`: a LiteLLM 1.81.13 proxy, as recorded in `test/fixtures/litellm-recordings/` (headers,
 *   chunk shapes, usage chunk, errors, fallbacks, mid-stream cuts per transport, reasoning deltas).
 * - `openai`: OpenAI's own API, called directly (no proxy headers, `choices: []` usage chunk).
 */
export type MockFlavor = 'litellm' | 'openai';

export const mockFlavors: readonly MockFlavor[] = ['litellm', 'openai'];

/**
 * The flavour of a mock started without `flavor`: LiteLLM, the proxy the product is deployed behind
 * (server tests, the offline demo model, benchmarks and e2e all speak to it).
 */
export const defaultFlavor: MockFlavor = 'litellm';

/** LiteLLM's two HTTP transports to the provider; they differ in how a cut provider stream ends. */
export type LitellmTransport = 'aiohttp' | 'httpx';
