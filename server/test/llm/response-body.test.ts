import { describe, expect, it } from 'vitest';
import { ResponseBody, type BodySource } from '../../src/llm/response-body.js';

function source() {
  const calls: string[] = [];
  const value: BodySource = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    abort: () => calls.push('abort'),
  };
  return { calls, value };
}

async function readAll(body: ResponseBody): Promise<string[]> {
  const pieces: string[] = [];
  for await (const piece of body) pieces.push(piece);
  return pieces;
}

describe('ResponseBody', () => {
  it('hands on pieces in order, to a waiting reader and from its buffer alike', async () => {
    const body = new ResponseBody(source().value);
    body.push(Buffer.from('one '));
    const reading = readAll(body);
    body.push(Buffer.from('two '));
    setImmediate(() => {
      body.push(Buffer.from('three'));
      body.end();
    });
    expect(await reading).toEqual(['one ', 'two ', 'three']);
  });

  it('decodes a character split across chunks whole', async () => {
    const body = new ResponseBody(source().value);
    const bytes = Buffer.from('é€😀', 'utf8');
    for (const byte of bytes) body.push(Buffer.from([byte]));
    body.end();
    expect((await readAll(body)).join('')).toBe('é€😀');
  });

  it('gives the pieces before a failure first, then the failure', async () => {
    const body = new ResponseBody(source().value);
    body.push(Buffer.from('kept'));
    body.fail(new Error('socket hang up'));
    const iterator = body[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: 'kept', done: false });
    await expect(iterator.next()).rejects.toThrow('socket hang up');
  });

  it('ignores a failure after the end (a close that follows the last byte)', async () => {
    const body = new ResponseBody(source().value);
    body.push(Buffer.from('all'));
    body.end();
    body.fail(new Error('closed'));
    expect(await readAll(body)).toEqual(['all']);
  });

  it('pauses its source while the reader lags 64 KiB behind, and resumes it once caught up', async () => {
    const { calls, value } = source();
    const body = new ResponseBody(value);
    const piece = Buffer.alloc(16 * 1024, 'a');
    for (let i = 0; i < 5; i++) body.push(piece);
    expect(calls).toEqual(['pause']);
    const iterator = body[Symbol.asyncIterator]();
    for (let i = 0; i < 4; i++) await iterator.next();
    expect(calls).toEqual(['pause']);
    await iterator.next();
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('drops what it holds when cancelled: the next read fails at once with that reason, later bytes and failures are ignored', async () => {
    const body = new ResponseBody(source().value);
    body.push(Buffer.from('received before the stop'));
    body.end();
    body.cancel(new Error('stopped'));
    body.push(Buffer.from('late'));
    body.fail(new Error('closed afterwards'));
    const iterator = body[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toThrow('stopped');
  });

  it('delivers nothing that ends after a cancel (a character left half-decoded)', async () => {
    const body = new ResponseBody(source().value);
    body.push(Buffer.from([0xe2, 0x82]));
    body.cancel(new Error('stopped'));
    body.end();
    await expect(body[Symbol.asyncIterator]().next()).rejects.toThrow('stopped');
  });

  it('aborts its source when the reader stops early', async () => {
    const { calls, value } = source();
    const body = new ResponseBody(value);
    body.push(Buffer.from('first'));
    body.push(Buffer.from('second'));
    for await (const piece of body) {
      expect(piece).toBe('first');
      break;
    }
    expect(calls).toEqual(['abort']);
  });
});
