import http from 'node:http';
import https from 'node:https';

/** Read access to response headers: web `Headers` and `nodeHeaders()` both satisfy it. */
export interface HeaderReader {
  get(name: string): string | null;
}

export interface StreamRequest {
  url: URL;
  headers: Record<string, string>;
  body: string;
  signal: AbortSignal;
}

export interface StreamResponse {
  status: number;
  headers: HeaderReader;
  /** The body as UTF-8 text, in the pieces the socket delivered. Errors when the connection breaks. */
  body: AsyncIterable<string>;
}

/** Sends one request and resolves when the response headers arrived. Aborting the signal closes the socket. */
export type StreamTransport = (request: StreamRequest) => Promise<StreamResponse>;

/**
 * How long an idle upstream socket is kept by default: less than uvicorn's 5 s keep-alive (LiteLLM's
 * server, unless started with `--keepalive_timeout`): reusing a socket the server is closing fails
 * the request. `LLM_KEEPALIVE_MS` raises it for an upstream that keeps connections longer.
 */
export const DEFAULT_KEEPALIVE_MS = 4_000;
const ignore = () => {};

/**
 * The streaming path to the upstream over node:http(s): one keep-alive pool per client, no Nagle
 * (a held-back small SSE frame would add ~40 ms), and the body handed on as it arrives. Measured
 * against the SDK's fetch on this path: ≈ 0.7 ms less from call to request on the upstream's socket,
 * and less CPU per chunk (no web-stream layers). A socket idle for `keepAliveMs` is closed (sooner
 * if the server announces a shorter `Keep-Alive: timeout`, which Node's agent honours); a turn that
 * finds none opens a new connection, which on a loopback upstream cost ≈ 1.4 ms of the first token
 * after a pause (bench/probe-turn.ts --pause 4500, docs/performance.md).
 */
export function createHttpTransport(keepAliveMs = DEFAULT_KEEPALIVE_MS): StreamTransport {
  const options = {
    keepAlive: true,
    noDelay: true,
    timeout: keepAliveMs,
    maxFreeSockets: 1024,
  };
  const agents = { 'http:': new http.Agent(options), 'https:': new https.Agent(options) };
  return ({ url, headers, body, signal }) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const secure = url.protocol === 'https:';
      const request = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? agents['https:'] : agents['http:'],
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      });
      // An abort destroys the request without an error of its own: the caller knows why it aborted,
      // and the body's reader sees the cut. (Node's `signal` option instead emits an AbortError,
      // which could surface as an uncaught 'error' when it lands between two listeners.)
      const abort = () => request.destroy();
      signal.addEventListener('abort', abort, { once: true });
      request.once('close', () => {
        signal.removeEventListener('abort', abort);
        reject(new Error('The upstream connection closed before answering'));
      });
      // Errors after the response arrived reach the body's reader; the listeners stay so that none of
      // them is ever an uncaught 'error' event.
      request.on('error', reject);
      request.once('response', (response) => {
        response.on('error', ignore);
        response.setEncoding('utf8');
        resolve({ status: response.statusCode ?? 0, headers: nodeHeaders(response.headers), body: response });
      });
      request.end(body);
    });
}

/** Node's header object as a `HeaderReader` (names are lower-case there; repeated values joined). */
export function nodeHeaders(headers: http.IncomingHttpHeaders): HeaderReader {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** Reads a (small) body whole, up to `limit` characters: error bodies are only ever inspected, never kept. */
export async function readText(body: AsyncIterable<string>, limit = 64 * 1024): Promise<string> {
  let text = '';
  for await (const piece of body) {
    if (text.length < limit) text += piece;
  }
  return text.slice(0, limit);
}
