import { isIP } from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const ALL_INTERFACES = new Set(['0.0.0.0', '::', '[::]']);

export interface ListenInfo {
  /** HOST as configured. */
  host: string;
  /** The port actually bound (PORT=0 picks one). */
  port: number;
  /** APP_URL when the operator set it, else null. */
  appUrl: string | null;
  database: string;
}

/**
 * The start-up line: where the server listens, who can reach it, and the address to open. It is
 * the first thing a newcomer reads, so it says it in words rather than as a socket address.
 */
export function listenMessage({ host, port, appUrl, database }: ListenInfo): string {
  const where = ALL_INTERFACES.has(host)
    ? `listening on all interfaces, port ${port} (reachable from other machines)`
    : LOOPBACK.has(host)
      ? `listening on ${host}:${port} (this computer only; set HOST=0.0.0.0 to open it to the network)`
      : `listening on ${host}:${port}`;
  const open = appUrl ?? `http://${browsableHost(host)}:${port}`;
  return `Chatbot Builder ready, ${where}. Open ${open} in your browser (database: ${database})`;
}

function browsableHost(host: string): string {
  if (ALL_INTERFACES.has(host) || LOOPBACK.has(host)) return 'localhost';
  return isIP(host) === 6 ? `[${host}]` : host;
}
