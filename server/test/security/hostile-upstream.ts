import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fresh secret per run, so a match can only come from this run's leak. */
export function sentinel(kind: string): string {
  return `sk-SENTINEL-${kind}-${randomBytes(8).toString('hex')}`;
}

export interface HostileRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Metadata a hostile (or broken) upstream can put on a successful answer: each field replaces the
 * ordinary value; `undefined` keeps it.
 */
export interface HostileMeta {
  modelGroup?: string;
  attemptedFallbacks?: string;
  requestId?: string;
  callId?: string;
  model?: string;
  id?: string;
  finishReason?: string;
}

export interface HostileUpstreamOptions {
  /** The answer to `GET /model_group/info` and `GET /v1/models` (default: an echoing 401 and 500). */
  discovery?: 'echo' | { models: string[] };
  /** Metadata for answers whose request carries `[[hostile:meta]]`. */
  meta?: HostileMeta;
  /** Headers for answers whose request carries `[[hostile:429]]` (default: Retry-After 99999999999). */
  rateLimitHeaders?: Record<string, string>;
}

/**
 * An OpenAI-compatible upstream that throws back everything it was sent, the way a LiteLLM
 * "Received API Key = sk-…" or a proxy dumping request headers does: in error bodies, in response
 * headers, in the status text, in the model and id of an answer. Markers in the request body pick
 * the behaviour: `[[hostile:401]]`, `[[hostile:500]]`, `[[hostile:429]]`, `[[hostile:text]]` (a
 * text/plain 502), `[[hostile:inband]]` (an error chunk after some text), `[[hostile:meta]]` (a
 * normal answer with `options.meta`); anything else is a normal answer.
 */
export async function startHostileUpstream(options: HostileUpstreamOptions = {}) {
  const requests: HostileRequest[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      answer(request, body, response, options);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    /** `http://127.0.0.1:<port>/v1`, optionally with user info. */
    url: (userInfo?: string) => `http://${userInfo ? `${userInfo}@` : ''}127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(
  request: http.IncomingMessage,
  body: string,
  response: http.ServerResponse,
  options: HostileUpstreamOptions,
) {
  const authorization = String(request.headers.authorization ?? '');
  const everything = `Received API Key = ${authorization}; url=${request.url}; headers=${JSON.stringify(request.headers)}`;
  // Header values must be printable ASCII: the echo is sent as such.
  const headerEcho = everything.replace(/[^\x20-\x7e]/g, '?').slice(0, 2000);
  const echoHeaders = {
    'x-echo': headerEcho,
    'www-authenticate': `Bearer error="invalid_token", received="${authorization}"`,
    'x-litellm-model-group': authorization,
    'x-request-id': authorization,
  };
  const errorBody = JSON.stringify({
    error: { message: everything, type: 'auth_error', param: authorization, code: '401' },
  });
  const fail = (status: number, extra: Record<string, string> = {}) =>
    response
      .writeHead(status, `Denied ${authorization}`, {
        'content-type': 'application/json',
        ...echoHeaders,
        ...extra,
      })
      .end(errorBody);

  if (request.method === 'GET') {
    const discovery = options.discovery ?? 'echo';
    if (discovery === 'echo') return fail(request.url?.includes('model_group') ? 401 : 500);
    const data = request.url?.includes('model_group')
      ? discovery.models.map((id) => ({ model_group: id, providers: ['openai'], mode: 'chat' }))
      : discovery.models.map((id) => ({ id, object: 'model' }));
    return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
  }

  if (body.includes('[[hostile:401]]')) return fail(401);
  if (body.includes('[[hostile:500]]')) return fail(500);
  if (body.includes('[[hostile:429]]'))
    return fail(429, options.rateLimitHeaders ?? { 'retry-after': '99999999999' });
  if (body.includes('[[hostile:text]]'))
    return void response
      .writeHead(502, `Bad ${authorization}`, { 'content-type': 'text/plain', ...echoHeaders })
      .end(everything);

  const stream = (JSON.parse(body) as { stream?: boolean }).stream === true;
  const meta = body.includes('[[hostile:meta]]') ? (options.meta ?? {}) : {};
  const headers: Record<string, string> = {
    'content-type': stream ? 'text/event-stream' : 'application/json',
  };
  if (meta.modelGroup !== undefined) headers['x-litellm-model-group'] = meta.modelGroup;
  if (meta.attemptedFallbacks !== undefined)
    headers['x-litellm-attempted-fallbacks'] = meta.attemptedFallbacks;
  if (meta.requestId !== undefined) headers['x-request-id'] = meta.requestId;
  if (meta.callId !== undefined) headers['x-litellm-call-id'] = meta.callId;
  const requested = (JSON.parse(body) as { model?: string }).model ?? 'chat-default';
  const model = meta.model ?? requested;
  const id = meta.id ?? 'chatcmpl-hostile';
  const finishReason = meta.finishReason ?? 'stop';
  const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };

  if (!stream) {
    return void response.writeHead(200, headers).end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created: 0,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'A system prompt.' },
            finish_reason: finishReason,
          },
        ],
        usage,
      }),
    );
  }
  response.writeHead(200, headers);
  const chunk = (fields: object) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, ...fields })}\n\n`;
  response.write(chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello ' } }] }));
  if (body.includes('[[hostile:inband]]')) {
    return void response.end(`data: ${errorBody}\n\n`);
  }
  response.write(
    chunk({ choices: [{ index: 0, delta: { content: 'there.' }, finish_reason: finishReason }] }),
  );
  response.write(chunk({ choices: [], usage }));
  response.end('data: [DONE]\n\n');
}
