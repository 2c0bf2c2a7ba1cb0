import http from 'node:http';
import Fastify from 'fastify';

/**
 * Arm F of bench/probe-burst.ts: the bare proxy of arm E written as a Fastify route (routing, the JSON
 * body parsed and sent on, the reply hijacked for the stream). Between E and the app, it shows what
 * the framework itself costs per request. argv: upstream origin.
 */
const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:4010');
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const app = Fastify({ logger: false });

app.post('/v1/chat/completions', (request, reply) => {
  const body = JSON.stringify(request.body);
  reply.hijack();
  const outgoing = http.request(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: request.url,
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: request.headers.authorization ?? '',
      },
    },
    (incoming) => {
      reply.raw.writeHead(incoming.statusCode ?? 502, { 'content-type': 'text/event-stream' });
      incoming.pipe(reply.raw);
    },
  );
  outgoing.on('socket', (socket) => socket.setNoDelay(true));
  outgoing.on('error', () => reply.raw.destroy());
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) outgoing.destroy();
  });
  outgoing.end(body);
});

const url = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`READY ${JSON.stringify({ url })}`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
