import { Writable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, RequestLogController } from '../../src/http/logger-options.js';

/** The access line's two paths: success (plain logger) and error (the process logger, which redacts). */
describe('RequestLogController', () => {
  function setUp(level = 'info') {
    const lines: Record<string, unknown>[] = [];
    const root = pino(
      loggerOptions(level),
      new Writable({
        write(chunk, _encoding, done) {
          lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
          done();
        },
      }),
    );
    const request = {
      id: 'req-1',
      method: 'POST',
      url: '/api/things?token=one-time',
      ip: '127.0.0.1',
      log: root.child({ reqId: 'req-1' }),
    } as unknown as FastifyRequest;
    const reply = { statusCode: 500, elapsedTime: 1.5 } as unknown as FastifyReply;
    return { lines, request, reply, controller: new RequestLogController(root) };
  }

  it('writes an error line once, with the request id once and credentials in the error redacted', () => {
    const { lines, request, reply, controller } = setUp();
    const error = Object.assign(new Error('hook failed'), { token: 'sk-secret-1' });
    controller.requestCompleted(error, request, reply);
    expect(lines).toHaveLength(1);
    const raw = JSON.stringify(lines[0]);
    expect(raw.match(/"reqId"/g)).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, reqId: 'req-1', url: '/api/things', msg: 'request errored' });
    expect(raw).not.toContain('sk-secret-1');
    expect(raw).not.toContain('one-time');
  });

  it('writes a success line with the request id, and none below the logger level', () => {
    const { lines, request, reply, controller } = setUp();
    controller.requestCompleted(null, request, { ...reply, statusCode: 200 } as FastifyReply);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        reqId: 'req-1',
        method: 'POST',
        url: '/api/things',
        statusCode: 200,
      }),
    ]);
    const quiet = setUp('warn');
    quiet.controller.requestCompleted(null, quiet.request, reply);
    expect(quiet.lines).toEqual([]);
  });
});
