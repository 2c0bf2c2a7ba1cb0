import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string[]>;
  body: string;
}

export interface RawRequest {
  method?: string;
  /** The request target exactly as written on the request line (fetch would normalise it). */
  target: string;
  headers?: Record<string, string>;
  body?: string;
  /** Source address of the socket (any 127.x.y.z works on Linux): a distinct client per address. */
  localAddress?: string;
}

/** One HTTP/1.1 request over a raw socket (`Connection: close`), and its parsed response. */
export async function rawRequest(base: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  const body = request.body ?? '';
  const headers: Record<string, string> = {
    host: url.host,
    connection: 'close',
    ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...request.headers,
  };
  const head =
    `${request.method ?? 'POST'} ${request.target} HTTP/1.1\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';
  const socket = net.connect({
    port: Number(url.port),
    host: url.hostname,
    ...(request.localAddress ? { localAddress: request.localAddress } : {}),
  });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', () => resolve());
    socket.write(head + body);
  });
  return parseResponse(Buffer.concat(chunks).toString('latin1'));
}

function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  if (split === -1) throw new Error(`no complete response head: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    (headers[name] ??= []).push(line.slice(colon + 1).trim());
  }
  let body = text.slice(split + 4);
  if (headers['transfer-encoding']?.includes('chunked')) body = dechunk(body);
  return { status, headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

function dechunk(text: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd === -1) return out;
    const size = parseInt(text.slice(at, lineEnd), 16);
    if (!size) return out;
    out += text.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
