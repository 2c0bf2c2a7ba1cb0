import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';

export const SSE_HEARTBEAT_MS = 15_000;

const sseHeaders: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};

const PING = ': ping\n\n';

/**
 * A Server-Sent Events writer over the raw response. One `write()` per event (no extra copies),
 * a heartbeat comment when the stream is quiet, back-pressure (callers wait for `drained()` when
 * `send` returns false), and `onGone` as soon as the client disconnects. Never writes after `end`.
 */
export class SseWriter {
  private ended = false;
  private gone = false;
  private wroteSinceTick = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly reply: FastifyReply,
    private readonly onGone: () => void,
    private readonly heartbeatMs = SSE_HEARTBEAT_MS,
  ) {
    // Registered before the stream opens: a client that leaves while we wait for the model counts.
    reply.raw.on('close', this.handleClose);
    reply.raw.on('drain', this.handleDrain);
  }

  /** True once the client is gone or the stream ended. */
  get closed(): boolean {
    return this.ended || this.gone;
  }

  /**
   * Takes over the response and sends the headers. Headers already set by hooks (helmet's, set on
   * the raw response) are kept; Fastify-level ones are copied since a hijacked reply skips onSend.
   */
  open(): void {
    // Always hijack, so Fastify never answers on top of us, even if the client already left.
    this.reply.hijack();
    if (this.closed) return;
    const raw = this.reply.raw;
    for (const [name, value] of Object.entries(this.reply.getHeaders())) {
      if (value !== undefined && !raw.hasHeader(name)) raw.setHeader(name, value);
    }
    // No flushHeaders(): the headers leave with the first event, in the same write.
    raw.writeHead(200, sseHeaders);
    this.heartbeat = setInterval(this.tick, this.heartbeatMs);
  }

  /** Writes `event: <name>\ndata: <json>\n\n`. `json` must be one line (JSON.stringify output is). */
  send(event: string, json: string): boolean {
    if (this.closed) return true;
    this.wroteSinceTick = true;
    return this.reply.raw.write(`event: ${event}\ndata: ${json}\n\n`);
  }

  /** Resolves when the socket buffer drained, or at once when the client is gone. */
  drained(): Promise<void> {
    if (this.closed || !this.reply.raw.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.stopHeartbeat();
    if (!this.gone) this.reply.raw.end();
    this.release();
  }

  private readonly tick = () => {
    if (this.closed) return;
    if (!this.wroteSinceTick && !this.reply.raw.writableNeedDrain) this.reply.raw.write(PING);
    this.wroteSinceTick = false;
  };

  private readonly handleDrain = () => this.release();

  private readonly handleClose = () => {
    const raw = this.reply.raw;
    raw.off('close', this.handleClose);
    raw.off('drain', this.handleDrain);
    this.stopHeartbeat();
    if (!this.ended && !raw.writableFinished) {
      this.gone = true;
      this.onGone();
    }
    this.release();
  };

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private release(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
