import { describe, expect, it } from 'vitest';
import { findAll, nginxSeconds, parseNginx, valueIn, type Directive } from './support/nginx-parser.js';
import { readRepoFile } from './support/repo-files.js';

const config = parseNginx(readRepoFile('deploy/nginx.conf'));
const [server] = findAll(config, 'server').filter((directive) => directive.children);
const serverBlock = server?.children ?? [];

/** The location that would serve `path`: exact, then regex (in order), then the longest prefix. */
function locationFor(path: string): Directive[] {
  const locations = serverBlock.filter((directive) => directive.name === 'location');
  const exact = locations.find((location) => location.args[0] === '=' && location.args[1] === path);
  if (exact) return exact.children ?? [];
  const regex = locations.find(
    (location) =>
      (location.args[0] === '~' || location.args[0] === '~*') &&
      new RegExp(location.args[1] as string, location.args[0] === '~*' ? 'i' : '').test(path),
  );
  if (regex) return regex.children ?? [];
  const prefix = locations
    .filter((location) => location.args.length === 1 && path.startsWith(location.args[0] as string))
    .sort((a, b) => (b.args[0] as string).length - (a.args[0] as string).length)[0];
  return prefix?.children ?? [];
}

/** A directive's value where nginx would take it: the location, else the server block. */
function effective(location: Directive[], name: string): string[] | undefined {
  return valueIn(location, name) ?? valueIn(serverBlock, name);
}

describe('deploy/nginx.conf', () => {
  it('balances over every app replica through Docker DNS', () => {
    const upstream = findAll(config, 'upstream').find((directive) => directive.args[0] === 'app');
    const servers = findAll(upstream?.children ?? [], 'server');
    expect(servers.map((directive) => directive.args[0])).toEqual(['app:3000']);
    expect(findAll(config, 'resolver')[0]?.args[0]).toBe('127.0.0.11');
  });

  it('streams the chat route unbuffered, over HTTP/1.1, with a long read timeout', () => {
    const chat = locationFor('/api/chatbots/0b4f2c9e-6f7a-4a53-9d55-1f4f3b8a9c10/chat');
    expect(valueIn(chat, 'proxy_pass')).toEqual(['http://app']);
    expect(valueIn(chat, 'proxy_buffering')).toEqual(['off']);
    expect(effective(chat, 'proxy_http_version')).toEqual(['1.1']);
    // nginx inherits proxy_set_header from the server only when the location sets none itself.
    const own = chat.filter((directive) => directive.name === 'proxy_set_header');
    const headers =
      own.length > 0 ? own : serverBlock.filter((directive) => directive.name === 'proxy_set_header');
    expect(headers.find((header) => header.args[0] === 'Connection')?.args[1]).toBe('');
    const readTimeout = effective(chat, 'proxy_read_timeout')?.[0] ?? '60s';
    expect(nginxSeconds(readTimeout)).toBeGreaterThanOrEqual(600);
  });

  it('leaves other API routes on the default location and passes the client address on', () => {
    const other = locationFor('/api/chatbots');
    expect(valueIn(other, 'proxy_pass')).toEqual(['http://app']);
    expect(valueIn(other, 'proxy_buffering')).toBeUndefined();
    const forwarded = serverBlock.filter((d) => d.name === 'proxy_set_header').map((d) => d.args[0]);
    expect(forwarded).toEqual(expect.arrayContaining(['Host', 'X-Forwarded-For', 'X-Forwarded-Proto']));
  });

  it('overwrites X-Forwarded-For with the address it saw, so a client cannot choose its own (TRUST_PROXY=1)', () => {
    const headers = (location: Directive[]) => {
      const own = location.filter((directive) => directive.name === 'proxy_set_header');
      return own.length > 0 ? own : serverBlock.filter((directive) => directive.name === 'proxy_set_header');
    };
    for (const path of ['/api/auth/sign-in/email', '/api/chatbots/x/chat', '/']) {
      const set = headers(locationFor(path));
      expect(set.find((header) => header.args[0] === 'X-Forwarded-For')?.args[1], path).toBe('$remote_addr');
      expect(set.find((header) => header.args[0] === 'X-Forwarded-Host')?.args[1], path).toBe('$host');
    }
  });
});
