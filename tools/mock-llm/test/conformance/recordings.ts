import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';

/** The recordings, copied into the repository (never read from outside it). */
export const recordingsDir = fileURLToPath(
  new URL('../../../../test/fixtures/litellm-recordings/', import.meta.url),
);

export interface SseEvent {
  raw: string;
  data?: unknown;
  done?: boolean;
}

export interface Recording {
  case: string;
  request: { method: string; path: string; headers: Array<[string, string]>; bodyRaw?: string };
  response: {
    status: number;
    headers: Array<[string, string]>;
    bodyRaw: string;
    headersAtMs: number;
    sseEvents?: SseEvent[];
    clientClosedAtMs?: number;
  };
}

export function loadRecording(name: string): Recording {
  return JSON.parse(readFileSync(`${recordingsDir}${name}.json`, 'utf8')) as Recording;
}

export function readRecordingFile(name: string): string {
  return readFileSync(`${recordingsDir}${name}`, 'utf8');
}

export interface Replayed {
  status: number;
  /** Raw header pairs in the order received. */
  headers: Array<[string, string]>;
  body: string;
  /** ms from the request to the headers, and to the first body bytes. */
  headersAtMs: number;
  firstBodyAtMs: number | null;
}

/**
 * Sends the recorded request (its headers in order, its exact body) to `origin` over raw HTTP, as
 * the recorder did. With `closeAfterEvents` the client hangs up after that many SSE events.
 */
export function replay(recording: Recording, origin: string, closeAfterEvents?: number): Promise<Replayed> {
  const url = new URL(recording.request.path, origin);
  const headers = recording.request.headers.map(([name, value]): [string, string] =>
    name.toLowerCase() === 'host' ? [name, url.host] : [name, value],
  );
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: recording.request.method, headers: headers.flat() }, (res) => {
      const headersAtMs = performance.now() - started;
      const pairs: Array<[string, string]> = [];
      for (let index = 0; index < res.rawHeaders.length; index += 2)
        pairs.push([res.rawHeaders[index] as string, res.rawHeaders[index + 1] as string]);
      let body = '';
      let firstBodyAtMs: number | null = null;
      const finish = () =>
        resolve({ status: res.statusCode ?? 0, headers: pairs, body, headersAtMs, firstBodyAtMs });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        firstBodyAtMs ??= performance.now() - started;
        body += chunk;
        if (closeAfterEvents !== undefined && body.split('\n\n').length - 1 >= closeAfterEvents) {
          res.destroy();
          finish();
        }
      });
      res.on('end', finish);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(recording.request.bodyRaw);
  });
}

/** A body's SSE events: `data: …` frames separated by a blank line, nothing else. */
export function sseEvents(body: string): SseEvent[] {
  if (body.length === 0) return [];
  if (!body.endsWith('\n\n')) throw new Error(`SSE body does not end with a blank line: ${body.slice(-80)}`);
  return body
    .slice(0, -2)
    .split('\n\n')
    .map((raw) => {
      if (!raw.startsWith('data: ')) throw new Error(`not a data line: ${raw.slice(0, 80)}`);
      const payload = raw.slice('data: '.length);
      return payload === '[DONE]' ? { raw, done: true } : { raw, data: JSON.parse(payload) };
    });
}
