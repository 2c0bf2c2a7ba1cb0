import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny server that answers with what a real LiteLLM 1.81.13 answered, byte for byte: the
 * recordings in test/fixtures/litellm-recordings/ (their README describes the format). A chat
 * request gets the case named by `play()`: its status, its headers in their order and raw case, and
 * its body as recorded (a stream in the socket reads LiteLLM's client saw, from the `.sse` file).
 * `/model/info`, `/model_group/info` and `/v1/models` answer the recorded model endpoints.
 *
 * Only the framing headers are left to Node: `date`, `content-length`, `transfer-encoding` and
 * `connection` (the recorder asked for `Connection: close`; the trimmed `/model/info` is shorter
 * than its recorded length).
 */

const RECORDINGS = new URL('../../../test/fixtures/litellm-recordings/', import.meta.url);
const FRAMING = new Set(['date', 'content-length', 'transfer-encoding', 'connection']);

export interface Recording {
  case: string;
  request: { method: string; path: string; bodyRaw?: string };
  response: {
    status: number;
    headers: Array<[string, string]>;
    bodyRaw: string;
    reads?: Array<{ ms: number; text: string }>;
    sseEvents?: unknown[];
  };
}

export function loadRecording(name: string): Recording {
  return JSON.parse(readFileSync(new URL(`${name}.json`, RECORDINGS), 'utf8')) as Recording;
}

/** The raw SSE body of a streamed case (`<case>.sse`). */
export function recordedSse(name: string): string {
  return readFileSync(new URL(`${name}.sse`, RECORDINGS), 'utf8');
}

/** Changes to a recorded answer, for what newer LiteLLM versions send (a header more or less). */
export interface ReplayVariant {
  addHeaders?: Array<[string, string]>;
  dropHeaders?: string[];
}

export interface ReplayServer {
  /** Base URL as the client takes it (`…/v1`). */
  url: string;
  /** The recorded case the next chat requests get (until the next `play`). */
  play(name: string, variant?: ReplayVariant): void;
  /** Parsed bodies of the chat requests received, in order. */
  readonly chatRequests: Array<Record<string, unknown>>;
  /** Paths of every request received, in order. */
  readonly paths: string[];
  close(): Promise<void>;
}

interface Playing {
  recording: Recording;
  /** The body in its recorded pieces (streams: the socket reads). */
  pieces: string[];
  variant: ReplayVariant;
}

function pieces(name: string, recording: Recording): string[] {
  const streamed = recording.response.sseEvents !== undefined;
  if (!streamed) return [recording.response.bodyRaw];
  const sse = recordedSse(name);
  const reads = recording.response.reads?.map((read) => read.text) ?? [sse];
  // The reads are the bytes as received; they must add up to the .sse file.
  if (reads.join('') !== sse) throw new Error(`${name}: the recorded reads differ from ${name}.sse`);
  return reads;
}

function headersOf(recording: Recording, variant: ReplayVariant): string[] {
  const drop = new Set((variant.dropHeaders ?? []).map((name) => name.toLowerCase()));
  const flat: string[] = [];
  for (const [name, value] of [...recording.response.headers, ...(variant.addHeaders ?? [])]) {
    const lower = name.toLowerCase();
    if (FRAMING.has(lower) || drop.has(lower)) continue;
    flat.push(name, value);
  }
  return flat;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startReplayServer(): Promise<ReplayServer> {
  const endpoints = new Map<string, Playing>();
  for (const [route, name] of [
    ['/model/info', 'models-model-info.trimmed'],
    ['/model_group/info', 'models-model-group-info'],
    ['/v1/models', 'models-v1-models'],
  ] as const) {
    const recording = loadRecording(name);
    endpoints.set(route, { recording, pieces: [recording.response.bodyRaw], variant: {} });
  }
  let playing: Playing | null = null;
  const chatRequests: Array<Record<string, unknown>> = [];
  const paths: string[] = [];

  const answer = (response: ServerResponse, what: Playing) => {
    response.writeHead(what.recording.response.status, headersOf(what.recording, what.variant));
    const [first, ...rest] = what.pieces;
    // Each read as its own write (its own chunk): the client's parser sees LiteLLM's boundaries.
    const next = (index: number) => {
      if (index >= rest.length) return void response.end();
      response.write(rest[index], () => setImmediate(() => next(index + 1)));
    };
    response.write(first ?? '', () => setImmediate(() => next(0)));
  };

  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] as string;
    paths.push(path);
    if (request.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
      void readBody(request).then((text) => {
        chatRequests.push(JSON.parse(text) as Record<string, unknown>);
        if (!playing) {
          response.writeHead(500, { 'content-type': 'application/json' });
          return void response.end('{"error":{"message":"replay: no case to play"}}');
        }
        answer(response, playing);
      });
      return;
    }
    const endpoint = endpoints.get(path) ?? endpoints.get(path.replace(/^\/v1(?=\/model)/, ''));
    if (request.method === 'GET' && endpoint) return answer(response, endpoint);
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"error":{"message":"replay: not recorded"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    play(name, variant = {}) {
      const recording = loadRecording(name);
      playing = { recording, pieces: pieces(name, recording), variant };
    },
    chatRequests,
    paths,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
