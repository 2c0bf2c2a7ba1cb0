import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Somebody's website for the widget tests: a tiny HTTP server on its own port (so another origin
 * than the app) serving one page with the embed tag, and styles that would wreck a careless widget.
 */
export interface HostPage {
  port: number;
  /** http://localhost:<port> */
  url: string;
  close(): Promise<void>;
}

export function hostPageHtml(appUrl: string, slug: string, title = 'Ada’s Bakery'): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>${title}</title>
  <style>
    /* Hostile on purpose: a widget that inherits or is restyled by these shows it at once. */
    * { font-family: Georgia, serif !important; }
    button { background: hotpink; border: 4px dashed lime; font-size: 30px; }
    iframe { border: 8px solid red; }
    body { margin: 0; background: #fdf6ec; color: #3b2f2f; }
    header { padding: 18px 28px; background: #7c2d12; color: #fff; font-size: 22px; }
    main { max-width: 760px; margin: 0 auto; padding: 24px 28px; line-height: 1.6; }
    .card { background: #fff; border-radius: 12px; padding: 16px 20px; margin: 16px 0; box-shadow: 0 1px 3px #0002; }
  </style>
</head>
<body>
  <header>${title}</header>
  <main>
    <h1 id="host-heading">Fresh bread every morning</h1>
    <p>Sourdough, rye and croissants, baked at 5 am. Ask our assistant about opening hours,
      allergens or a birthday cake order.</p>
    <div class="card"><strong>Today:</strong> seeded rye, cardamom buns, plum tart.</div>
    <div class="card"><button id="host-button" type="button">A host button</button></div>
  </main>
  <script src="${appUrl}/widget.js" data-chatbot="${slug}" async></script>
</body>
</html>`;
}

export async function startHostPage(html: () => string): Promise<HostPage> {
  const server: Server = createServer((request, response) => {
    if (request.url === '/' || request.url?.startsWith('/?') || request.url === '/index.html') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(html());
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, resolve)); // every loopback address
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
