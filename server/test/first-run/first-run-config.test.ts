import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { listenMessage } from '../../src/runtime/listen-message.js';

describe('first-run configuration', () => {
  it('listens on loopback only unless HOST says otherwise, and lets anyone sign up by default', () => {
    const config = loadConfig({});
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.signup).toBe('open');
    expect(loadConfig({ HOST: '0.0.0.0', SIGNUP: 'invite' })).toMatchObject({
      server: { host: '0.0.0.0' },
      signup: 'invite',
    });
  });

  it('refuses a SIGNUP that is not open, invite or closed, saying what it expects', () => {
    expect(() => loadConfig({ SIGNUP: 'invite-only' })).toThrow(ConfigError);
    expect(() => loadConfig({ SIGNUP: 'invite-only' })).toThrow(
      'Invalid environment variable SIGNUP="invite-only": expected open (anyone may sign up), invite (an invite link is needed) or closed',
    );
  });

  it('resolves relative paths from where npm was started (INIT_CWD), so `npm start` keeps ./data at the repo root', () => {
    const root = path.resolve('/srv/chatbot-builder');
    const config = loadConfig({ INIT_CWD: root });
    expect(config.dataDir).toBe(path.join(root, 'data'));
    expect(config.models.litellmConfigPath).toBe(path.join(root, 'litellm/config.yaml'));
    expect(loadConfig({ INIT_CWD: root, DATA_DIR: '/var/lib/chatbot' }).dataDir).toBe('/var/lib/chatbot');
    expect(loadConfig({}).dataDir).toBe(path.resolve('data')); // `node dist/main.js`: the working directory
  });

  it('says at start-up where it listens and what to open', () => {
    expect(listenMessage({ host: '127.0.0.1', port: 3000, appUrl: null, database: 'pglite' })).toBe(
      'Chatbot Builder ready, listening on 127.0.0.1:3000 (this computer only; set HOST=0.0.0.0 to open it to the network). Open http://localhost:3000 in your browser (database: pglite)',
    );
    expect(listenMessage({ host: '0.0.0.0', port: 8080, appUrl: null, database: 'postgres' })).toBe(
      'Chatbot Builder ready, listening on all interfaces, port 8080 (reachable from other machines). Open http://localhost:8080 in your browser (database: postgres)',
    );
    expect(
      listenMessage({
        host: '0.0.0.0',
        port: 3000,
        appUrl: 'https://chat.example.com',
        database: 'postgres',
      }),
    ).toContain('Open https://chat.example.com in your browser');
  });
});
