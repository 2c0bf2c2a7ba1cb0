import http from 'node:http';
import https from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { ResponseBody } from './response-body.js';

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

/**
 * The streaming path to the upstream over node:http(s): one keep-alive pool per client, no Nagle
 * (a held-back small SSE frame would add ~40 ms), and the body handed on as it arrives. Measured
 * against the SDK's fetch on this path: ≈ 0.7 ms less from call to request on the upstream's socket,
 * and less CPU per chunk (no web-stream layers). A socket idle for `keepAliveMs` is closed (sooner
 * if the server announces a shorter `Keep-Alive: timeout`, which Node's agent honours); a turn that
 * finds none opens a new connection, which on a loopback upstream cost ≈ 1.4 ms of the first token
 * after a pause (bench/probe-turn.ts --pause 4500, docs/performance.md).
 *
 * Per request it does only what differs between requests: the target's options are derived once
 * per URL (by Node's `urlToHttpOptions`), the headers go as one flat list (Node still validates each), and the body is read from
 * 'data' events into a `ResponseBody`, not through the stream's async iterator. undici's
 * dispatcher costs less CPU still, but it holds every request on a reused socket until the next
 * check phase, which under a burst sends the upstream requests late (docs/performance.md).
 */
export function createHttpTransport(keepAliveMs = DEFAULT_KEEPALIVE_MS): StreamTransport {
  const agentOptions = { keepAlive: true, noDelay: true, timeout: keepAliveMs, maxFreeSockets: 1024 };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  const targets = new WeakMap<URL, Target>();
  const targetOf = (url: URL): Target => {
    let target = targets.get(url);
    if (target === undefined) {
      target = targetFor(url, url.protocol === 'https:' ? agents.https : agents.http);
      targets.set(url, target);
    }
    return target;
  };
  return ({ url, headers, body, signal }) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const target = targetOf(url);
      const request = target.send({ ...target.options, headers: headerList(target.host, headers, body) });
      let responseBody: ResponseBody | null = null;
      // An abort destroys the request without an error of its own: the caller knows why it aborted,
      // and the body's reader sees the cut at its next read, with nothing read after the abort.
      // (Node's `signal` option instead emits an AbortError, which could surface as an uncaught
      // 'error' when it lands between two listeners.)
      const abort = () => {
        responseBody?.cancel(new Error('The upstream request was aborted'));
        request.destroy();
      };
      signal.addEventListener('abort', abort, { once: true });
      request.once('close', () => {
        signal.removeEventListener('abort', abort);
        reject(new Error('The upstream connection closed before answering'));
      });
      // Errors after the response arrived reach the body's reader; the listener stays so that none
      // of them is ever an uncaught 'error' event.
      request.on('error', reject);
      request.once('response', (response) => {
        responseBody = readBody(request, response);
        resolve({
          status: response.statusCode ?? 0,
          headers: nodeHeaders(response.headers),
          body: responseBody,
        });
      });
      request.end(body);
    });
}

interface Target {
  send: (options: http.RequestOptions) => http.ClientRequest;
  options: http.RequestOptions;
  host: string;
}

function targetFor(url: URL, agent: http.Agent): Target {
  return {
    send: url.protocol === 'https:' ? https.request : http.request,
    // Node's own URL → options (IPv6 brackets stripped, the default port left to the agent), once.
    options: { ...urlToHttpOptions(url), method: 'POST', agent },
    host: url.host,
  };
}

/** The request's headers as Node's flat [name, value, …] list (which also skips its header object). */
function headerList(host: string, headers: Record<string, string>, body: string): string[] {
  const list = ['host', host, 'content-length', String(Buffer.byteLength(body))];
  for (const name in headers) list.push(name, headers[name] as string);
  return list;
}

/** Feeds the response's bytes into a `ResponseBody`; back-pressure pauses the socket. */
function readBody(request: http.ClientRequest, response: http.IncomingMessage): ResponseBody {
  const body = new ResponseBody({
    pause: () => response.pause(),
    resume: () => response.resume(),
    abort: () => request.destroy(),
  });
  response.on('data', (chunk: Buffer) => body.push(chunk));
  response.once('end', () => body.end());
  response.on('error', (error) => body.fail(error));
  // A connection cut mid-body ends the response with 'close' and no 'end' (an 'error' comes first
  // when Node has one to give).
  response.once('close', () => body.fail(new Error('The upstream connection closed mid-answer')));
  return body;
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
