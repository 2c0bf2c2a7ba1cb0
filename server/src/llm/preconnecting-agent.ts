import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * A keep-alive agent that can open a connection before the request that will use it exists: a chat
 * request calls `preconnect` on arrival, so the TCP handshake to the upstream runs beside the
 * request's own checks (auth, validation, admission) instead of after them. That matters after a
 * quiet spell, when the idle sockets have been closed (see IDLE_SOCKET_MS in stream-transport.ts).
 * At most one spare connection per origin; an unused spare closes after the idle timeout, as an
 * idle pooled socket would.
 */
export class PreconnectingAgent extends http.Agent {
  private readonly spares = new Map<string, { socket: net.Socket; drop: () => void }>();

  constructor(private readonly settings: http.AgentOptions & { timeout: number }) {
    super(settings);
  }

  /** Opens a connection to the URL's origin unless an idle (or spare) one is there to take. */
  preconnect(url: URL): void {
    const target = { host: hostOf(url), port: Number(url.port) || 80 };
    const name = this.getName(target);
    if (this.spares.has(name) || (this.freeSockets[name]?.length ?? 0) > 0) return;
    const socket = net.connect({
      ...target,
      noDelay: this.settings.noDelay ?? false,
      keepAlive: true,
      keepAliveInitialDelay: this.settings.keepAliveMsecs ?? 1000,
    });
    const drop = () => {
      if (this.spares.get(name)?.socket === socket) this.spares.delete(name);
      socket.destroy();
    };
    // A failed or unused spare is dropped quietly: the request then connects as it would have.
    socket.on('error', drop);
    socket.setTimeout(this.settings.timeout, drop);
    socket.unref();
    this.spares.set(name, { socket, drop });
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const name = this.getName(options);
    const spare = this.spares.get(name);
    if (spare) {
      this.spares.delete(name);
      const { socket, drop } = spare;
      // From here the request's own listeners report errors; the idle timeout stays as the agent
      // sets it on the sockets it makes itself.
      socket.off('error', drop);
      socket.off('timeout', drop);
      socket.ref();
      if (!socket.destroyed) return socket;
    }
    return super.createConnection(options, callback);
  }

  override destroy(): void {
    for (const { socket } of this.spares.values()) socket.destroy();
    this.spares.clear();
    super.destroy();
  }
}

/** The host as http.request resolves it from a URL (an IPv6 literal without its brackets). */
function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}
