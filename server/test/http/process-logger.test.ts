import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const loggerModule = path.resolve(import.meta.dirname, '../../src/http/logger-options.ts');

/** The process logger buffers its lines; none may be lost when the process ends. */
describe('the process logger', () => {
  it.each([
    ['a normal exit', 'process.exit(0)'],
    ['an uncaught error', 'setImmediate(() => { throw new Error("boom") })'],
  ])('writes every line before %s', async (_name, ending) => {
    const script = `
      const { createLogger } = await import(${JSON.stringify(loggerModule)});
      const logger = createLogger('info');
      for (let i = 0; i < 3; i++) logger.info({ i }, 'line');
      ${ending};`;
    const result = await run(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script,
    ]).catch((error: { stdout: string }) => error);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { i: number });
    expect(lines.map((line) => line.i)).toEqual([0, 1, 2]);
  });

  it('writes the lines of a quiet process within about a second, not only at exit', async () => {
    // The marker goes to stdout directly 1.5 s after the line: the line is before it only if the
    // buffered line was flushed by then.
    const script = `
      const { createLogger } = await import(${JSON.stringify(loggerModule)});
      createLogger('info').info('quiet');
      setTimeout(() => { process.stdout.write('MARKER\\n'); process.exit(0); }, 1500);`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toContain('"msg":"quiet"');
    expect(lines[1]).toBe('MARKER');
  });
});
