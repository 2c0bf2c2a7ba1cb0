import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';

/**
 * The process environment, over the values of `.env` in the working directory when it exists
 * (a real environment variable always wins over `.env`). Under npm the working directory is where
 * the command was typed (INIT_CWD), not the workspace folder npm runs the script in.
 */
export function readEnvironment(
  cwd = process.env.INIT_CWD ?? process.cwd(),
): Record<string, string | undefined> {
  const file = path.join(cwd, '.env');
  const fromFile = fs.existsSync(file) ? parse(fs.readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}
