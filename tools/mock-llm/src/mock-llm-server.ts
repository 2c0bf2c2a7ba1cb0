import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ChatRequestError, planChatAnswer } from './chat-answer-plan.js';
import { respondToChat, type ResponseTracker } from './chat-responder.js';
import type { ChatWire, WireResponse } from './chat-wire.js';
import { defaultFlavor, type MockFlavor } from './flavor.js';
import { litellmWire } from './litellm-wire.js';
import { openaiWire } from './openai-wire.js';
import type {
  ClientGoneEvent,
  MockFault,
  MockLlm,
  MockLlmOptions,
  MockModel,
  RecordedRequest,
} from './mock-llm-types.js';

export const defaultMockModels: MockModel[] = [
  {
    id: 'mock-model',
    provider: 'openai',
    maxInputTokens: 128_000,
    maxOutputTokens: 16_384,
    inputCostPerToken: 0.00000015,
    outputCostPerToken: 0.0000006,
  },
];

const maxClientGoneEvents = 1000;
const maxQueuedFaults = 1000;

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(null);
        request.removeAllListeners('data');
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, answer: WireResponse): void {
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

const wires: Record<MockFlavor, (options: MockLlmOptions, models: readonly MockModel[]) => ChatWire> = {
  litellm: litellmWire,
  openai: openaiWire,
};

/** The key a request presents (`Authorization: Bearer <key>`), or undefined without one. */
function presentedKey(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  return header.startsWith('Bearer ') ? header.slice('Bearer '.length) : header;
}

/** Starts the OpenAI-compatible mock upstream on a loopback port. */
export async function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlm> {
  const models = options.models ?? defaultMockModels;
  const modelsById = new Map(models.map((model) => [model.id, model]));
  const flavor = options.flavor ?? defaultFlavor;
  const wire = wires[flavor](options, models);
  const maxRecorded = options.maxRecordedRequests ?? 1000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const requests: RecordedRequest[] = [];
  const clientsGone: ClientGoneEvent[] = [];
  const faults: MockFault[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let activeRequests = 0;
  let generating = 0;
  let closing = false;

  const record = (request: IncomingMessage, path: string, body: unknown, at: number) => {
    if (maxRecorded === 0) return;
    if (requests.length >= maxRecorded) requests.shift();
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers, body, at });
  };

  const authorized = (request: IncomingMessage) =>
    !options.apiKey || request.headers.authorization === `Bearer ${options.apiKey}`;

  async function handleChat(request: IncomingMessage, response: ServerResponse, path: string, at: number) {
    const raw = await readBody(request, maxBodyBytes);
    if (raw === null) {
      send(response, wire.invalidRequest(413, 'Request body too large.'));
      return;
    }
    let body: unknown = null;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      // recorded as null and answered 400 below
    }
    record(request, path, body, at);
    if (!authorized(request)) {
      send(response, wire.unauthorized(presentedKey(request)));
      return;
    }
    let plan;
    try {
      const inputs = { options, queuedFault: faults.shift(), models: modelsById };
      plan = planChatAnswer(body, { ...inputs, router: wire.router, reasoning: wire.reasoning });
    } catch (error) {
      if (!(error instanceof ChatRequestError)) throw error;
      send(response, wire.invalidRequest(400, error.message));
      return;
    }
    if (options.rejectUnknownModels && !modelsById.has(plan.model)) {
      send(response, wire.unknownModel(plan.model));
      return;
    }
    const tracker: ResponseTracker = { finished: false, gone: false, deltasSent: 0, generating: true };
    activeRequests++;
    generating++;
    response.on('close', () => {
      activeRequests--;
      if (tracker.finished || closing) return;
      tracker.gone = true;
      const event: ClientGoneEvent = {
        path,
        deltasSent: tracker.deltasSent,
        at: performance.now(),
        upstreamContinues: wire.upstreamOutlivesClient && tracker.generating && !plan.fault.endless,
      };
      if (clientsGone.length >= maxClientGoneEvents) clientsGone.shift();
      clientsGone.push(event);
      events.emit('client-gone', event);
    });
    const context = { plan, callId: randomUUID(), created: Math.floor(Date.now() / 1000), at };
    try {
      await respondToChat(response, context, wire, options, tracker);
    } finally {
      tracker.generating = false;
      generating--;
    }
  }

  function handle(request: IncomingMessage, response: ServerResponse) {
    const at = performance.now();
    const path = (request.url ?? '/').split('?', 1)[0] as string;
    const route = path.startsWith('/v1/') ? path.slice(3) : path;
    if (request.method === 'POST' && route === '/chat/completions') {
      handleChat(request, response, path, at).catch(() => {
        if (!response.headersSent) send(response, wire.invalidRequest(500, 'mock-llm: internal error'));
        else response.destroy();
      });
      return;
    }
    record(request, path, null, at);
    const listed = request.method === 'GET' ? wire.get(route) : null;
    if (request.method === 'GET' && (route === '/health/liveliness' || route === '/healthz')) {
      const payload = JSON.stringify({ status: 'ok' });
      send(response, {
        status: 200,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) },
        body: payload,
      });
    } else if (!authorized(request)) {
      send(response, wire.unauthorized(presentedKey(request)));
    } else if (listed) {
      send(response, listed);
    } else {
      send(response, wire.invalidRequest(404, `Not found: ${path}`));
    }
  }

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, handle);
  // Low latency per token: never let Nagle hold back a small SSE frame.
  server.on('connection', (socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}/v1`,
    port: address.port,
    requests,
    clientsGone,
    get activeRequests() {
      return activeRequests;
    },
    get generating() {
      return generating;
    },
    flavor,
    enqueue(fault) {
      if (faults.length >= maxQueuedFaults) throw new Error('mock-llm: too many queued faults');
      faults.push(fault);
    },
    onClientGone(listener) {
      events.on('client-gone', listener);
      return () => events.off('client-gone', listener);
    },
    waitForClientGone(timeoutMs = 5000) {
      return new Promise<ClientGoneEvent>((resolve, reject) => {
        const timer = setTimeout(() => {
          events.off('client-gone', onGone);
          reject(new Error(`mock-llm: no client went away within ${timeoutMs} ms`));
        }, timeoutMs);
        const onGone = (event: ClientGoneEvent) => {
          clearTimeout(timer);
          resolve(event);
        };
        events.once('client-gone', onGone);
      });
    },
    reset() {
      requests.length = 0;
      clientsGone.length = 0;
      faults.length = 0;
    },
    close() {
      closing = true;
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
