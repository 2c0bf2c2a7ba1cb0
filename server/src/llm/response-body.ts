import { StringDecoder } from 'node:string_decoder';

/** What the body needs from the response it reads: pause and resume its socket, or abort the request. */
export interface BodySource {
  pause(): void;
  resume(): void;
  abort(reason: Error): void;
}

/** Buffered text above which the upstream socket is paused until the reader catches up. */
const HIGH_WATER_CHARS = 64 * 1024;

/**
 * An upstream response body as UTF-8 text, fed by the transport's callbacks and read with
 * `for await`: one promise per read and nothing else (no stream machinery on the token path). The
 * upstream is paused while the reader lags `HIGH_WATER_CHARS` behind, so a slow client holds back
 * the model, not this process's memory. A reader that stops early (`return()`) aborts the request.
 */
export class ResponseBody implements AsyncIterableIterator<string> {
  private readonly decoder = new StringDecoder('utf8');
  private readonly pieces: string[] = [];
  private buffered = 0;
  private paused = false;
  private ended = false;
  private failure: Error | null = null;
  private waiter: {
    resolve: (result: IteratorResult<string>) => void;
    reject: (error: Error) => void;
  } | null = null;

  constructor(private readonly source: BodySource) {}

  push(chunk: Buffer): void {
    if (this.failure !== null) return;
    const text = this.decoder.write(chunk);
    if (text.length > 0) this.deliver(text);
  }

  end(): void {
    if (this.failure !== null) return;
    const rest = this.decoder.end();
    if (rest.length > 0) this.deliver(rest);
    this.ended = true;
    this.settleWaiter();
  }

  /** The connection failed: the pieces before it are still read, then the first failure is thrown. */
  fail(error: Error): void {
    if (this.ended || this.failure !== null) return;
    this.failure = error;
    this.settleWaiter();
  }

  next(): Promise<IteratorResult<string>> {
    const value = this.pieces.shift();
    if (value !== undefined) {
      this.buffered -= value.length;
      if (this.paused && this.pieces.length === 0) {
        this.paused = false;
        this.source.resume();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  /**
   * Our side stopped the request (Stop, timeout, shutdown, or the reader left): what arrived but was
   * not read yet is dropped, so nothing more reaches the reader, and the next read fails at once.
   */
  cancel(error: Error): void {
    this.pieces.length = 0;
    this.buffered = 0;
    this.failure ??= error;
    this.settleWaiter();
  }

  return(): Promise<IteratorResult<string>> {
    if (!this.ended && this.failure === null) {
      const error = new Error('The response body was abandoned');
      this.cancel(error);
      this.source.abort(error);
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private deliver(text: string): void {
    const waiter = this.waiter;
    if (waiter !== null) {
      this.waiter = null;
      waiter.resolve({ value: text, done: false });
      return;
    }
    this.pieces.push(text);
    this.buffered += text.length;
    if (!this.paused && this.buffered > HIGH_WATER_CHARS) {
      this.paused = true;
      this.source.pause();
    }
  }

  private settleWaiter(): void {
    const waiter = this.waiter;
    if (waiter === null) return;
    this.waiter = null;
    if (this.failure !== null) waiter.reject(this.failure);
    else waiter.resolve({ value: undefined, done: true });
  }
}
