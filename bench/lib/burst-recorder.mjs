// Loaded into a server process with `--import` by bench/probe-burst.ts. Records, from Node's own
// diagnostics channels (no change to the server's code), when each chat request arrived and when
// each upstream request left and was answered, and writes them at exit to BURST_RECORD_FILE.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const file = process.env.BURST_RECORD_FILE;
const times = { arrivals: [], upstreamSends: [], upstreamHeads: [] };
const now = () => performance.now();
// A turn arrives at the app's /api/chatbots/:id/chat or the proxy's /v1/chat/completions; both
// send it upstream to …/chat/completions.
const isUpstream = (path) => path.endsWith('/chat/completions');
const isChat = (path) => path.endsWith('/chat') || isUpstream(path);

subscribe('http.server.request.start', ({ request }) => {
  if (request.method === 'POST' && isChat(request.url)) times.arrivals.push(now());
});
// Published once the request is handed to its socket (after `end()`), on Node 20 and later.
subscribe('http.client.request.start', ({ request }) => {
  if (isUpstream(request.path)) times.upstreamSends.push(now());
});
// Published when the response's head arrived, just before the 'response' event.
subscribe('http.client.response.finish', ({ request }) => {
  if (isUpstream(request.path)) times.upstreamHeads.push(now());
});
// The clock pair lets a V8 CPU profile's timestamps (µs of the monotonic clock) be lined up with these.
const clock = () => ({ nowMs: now(), monotonicUs: Number(process.hrtime.bigint() / 1000n) });
if (file) process.once('exit', () => writeFileSync(file, JSON.stringify({ ...times, clock: clock() })));
