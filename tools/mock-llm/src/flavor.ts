/**
 * Which real server the mock imitates.
 *
 * - `litellm`: a LiteLLM 1.81.13 proxy, as recorded in `test/fixtures/litellm-recordings/` (headers,
 *   chunk shapes, usage chunk, errors, fallbacks, mid-stream cuts per transport, reasoning deltas).
 * - `openai`: OpenAI's own API, called directly (no proxy headers, `choices: []` usage chunk).
 * - `legacy`: what the mock did before the recordings existed, a mix of both. It stays the default
 *   only until the server's tests expect the real wire; do not write new tests against it.
 */
export type MockFlavor = 'legacy' | 'litellm' | 'openai';

export const mockFlavors: readonly MockFlavor[] = ['legacy', 'litellm', 'openai'];

/** The flavour of a mock started without `flavor`. Switching the default is this one line. */
export const defaultFlavor: MockFlavor = 'legacy';

/** LiteLLM's two HTTP transports to the provider; they differ in how a cut provider stream ends. */
export type LitellmTransport = 'aiohttp' | 'httpx';
