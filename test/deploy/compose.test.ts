import { describe, expect, it } from 'vitest';
import { isRecord, loadYamlFile, readRepoFile, repoFileExists } from './support/repo-files.js';

type Service = Record<string, unknown>;

const base = loadYamlFile('docker-compose.yml');
const scale = loadYamlFile('docker-compose.scale.yml');
const services = (base.data as { services: Record<string, Service> }).services;
const scaleServices = (scale.data as { services: Record<string, Service> }).services;

function environment(service: Service): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((item: string) => [item.split('=')[0], item.split('=').slice(1).join('=')]),
    );
  }
  return isRecord(env) ? (env as Record<string, string>) : {};
}

interface Mount {
  type: string;
  source: string;
  target: string;
  readOnly: boolean;
  createHostPath?: boolean;
}

/** Short (`src:dst:ro`) and long (`type: bind`) volume syntax, normalised. */
function mounts(service: Service): Mount[] {
  return ((service.volumes as unknown[] | undefined) ?? []).map((volume) => {
    if (typeof volume === 'string') {
      const [source = '', target = '', mode = ''] = volume.split(':');
      const type = source.startsWith('.') || source.startsWith('/') ? 'bind' : 'volume';
      return { type, source, target, readOnly: mode.split(',').includes('ro') };
    }
    const long = volume as {
      type: string;
      source: string;
      target: string;
      read_only?: boolean;
      bind?: { create_host_path?: boolean };
    };
    return {
      type: long.type,
      source: long.source,
      target: long.target,
      readOnly: long.read_only === true,
      ...(long.bind?.create_host_path === undefined ? {} : { createHostPath: long.bind.create_host_path }),
    };
  });
}

function healthTest(service: Service): string {
  const healthcheck = service.healthcheck as { test?: string | string[] } | undefined;
  const test = healthcheck?.test;
  return Array.isArray(test) ? test.join(' ') : (test ?? '');
}

/** Every `${NAME...}` interpolated in a text, nested ones included. */
function interpolatedNames(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((match) => match[1] as string));
}

const secretName = /KEY|SECRET|PASSWORD|TOKEN|AUTH/;

describe('docker-compose.yml', () => {
  it('runs the app, LiteLLM, PostgreSQL and Redis', () => {
    expect(Object.keys(services).sort()).toEqual(['app', 'litellm', 'postgres', 'redis']);
    expect(services.app?.build).toBe('.');
  });

  it('pins every image to an explicit version, never a moving tag', () => {
    const images = [...Object.values(services), ...Object.values(scaleServices)]
      .map((service) => service.image)
      .filter((image): image is string => typeof image === 'string');
    expect(images.length).toBeGreaterThanOrEqual(4);
    for (const image of images) {
      expect(image, image).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(image, image).not.toMatch(/:(latest|main-latest|main-stable|main|stable|nightly)$/);
    }
    expect(services.litellm?.image).toMatch(/^ghcr\.io\/berriai\/litellm:v\d+\.\d+\.\d+/);
  });

  it('gives every service a health check and starts dependants only when they are healthy', () => {
    const added = Object.entries(scaleServices).filter(([name]) => !(name in services));
    for (const [name, service] of [...Object.entries(services), ...added]) {
      expect(healthTest(service), `${name} health check`).not.toBe('');
    }
    const dependsOn = (service: Service) =>
      (service.depends_on ?? {}) as Record<string, { condition?: string }>;
    expect(Object.keys(dependsOn(services.app as Service)).sort()).toEqual(['litellm', 'postgres', 'redis']);
    expect(Object.keys(dependsOn(services.litellm as Service)).sort()).toEqual(['postgres', 'redis']);
    for (const [name, service] of Object.entries({ ...services, proxy: scaleServices.proxy as Service })) {
      for (const [dependency, rule] of Object.entries(dependsOn(service))) {
        expect(rule.condition, `${name} → ${dependency}`).toBe('service_healthy');
      }
    }
  });

  it('checks LiteLLM with Python against /health/liveliness (the image has no curl or wget)', () => {
    const test = healthTest(services.litellm as Service);
    expect(test).toMatch(/^CMD python3? -c /);
    expect(test).toContain('http://127.0.0.1:4000/health/liveliness');
    expect(test).not.toMatch(/curl|wget/);
    expect(healthTest(services.app as Service)).toContain('/healthz');
    expect(healthTest(services.postgres as Service)).toContain('pg_isready');
    expect(healthTest(services.redis as Service)).toContain('redis-cli ping');
  });

  it('starts LiteLLM on port 4000 with the mounted config, read-only', () => {
    const litellm = services.litellm as Service;
    expect(litellm.command).toEqual([
      '--config',
      '/app/config.yaml',
      '--port',
      '4000',
      '--keepalive_timeout',
      '75',
    ]);
    const config = mounts(litellm).find((mount) => mount.target === '/app/config.yaml');
    expect(config).toMatchObject({
      type: 'bind',
      source: './litellm/config.yaml',
      readOnly: true,
      createHostPath: false,
    });
    expect(litellm.ports).toEqual(['127.0.0.1:${LITELLM_PORT:-4000}:4000']);
  });

  it('runs LiteLLM on the httpx transport: a provider cut mid-stream is an error, not a normal end', () => {
    // midstream-cut-aiohttp vs midstream-cut-httpx (test/fixtures/litellm-recordings); decision 0006.
    expect(environment(services.litellm as Service).DISABLE_AIOHTTP_TRANSPORT).toBe('True');
  });

  it("keeps the app's idle connections to LiteLLM shorter than LiteLLM keeps them", () => {
    // Reusing a connection the server is closing fails the request: the app must let go first.
    const command = (services.litellm as Service).command as string[];
    const litellmSeconds = Number(command[command.indexOf('--keepalive_timeout') + 1]);
    const appMs = Number(environment(services.app as Service).LLM_KEEPALIVE_MS);
    expect(appMs).toBeGreaterThan(4_000);
    expect(appMs).toBeLessThanOrEqual(litellmSeconds * 1000 - 2_000);
  });

  it('lets the app read the same LiteLLM config and reach the proxy by its service name', () => {
    const app = services.app as Service;
    const env = environment(app);
    expect(env.LLM_BASE_URL).toBe('http://litellm:4000');
    expect(env.NODE_ENV).toBe('production');
    const folder = mounts(app).find((mount) => mount.source === './litellm');
    expect(folder).toMatchObject({ type: 'bind', readOnly: true });
    expect(env.LITELLM_CONFIG_PATH).toBe(`${folder?.target}/config.yaml`);
    expect(app.ports).toEqual(['${APP_PORT:-3000}:3000']);
    expect(env.PORT).toBe('3000');
  });

  it('keeps data in named volumes that are declared', () => {
    const declared = Object.keys((base.data as { volumes: Record<string, unknown> }).volumes);
    const used = Object.values(services).flatMap((service) =>
      mounts(service)
        .filter((mount) => mount.type === 'volume')
        .map((mount) => mount.source),
    );
    expect(used.sort()).toEqual(declared.sort());
    expect(
      mounts(services.postgres as Service).some((mount) => mount.target === '/var/lib/postgresql/data'),
    ).toBe(true);
    expect(mounts(services.redis as Service).some((mount) => mount.target === '/data')).toBe(true);
  });

  it('creates LiteLLM its own database on the shared PostgreSQL server', () => {
    const init = mounts(services.postgres as Service).find(
      (mount) => mount.target === '/docker-entrypoint-initdb.d',
    );
    expect(init).toMatchObject({ source: './deploy/postgres', readOnly: true });
    const sql = readRepoFile('deploy/postgres/10-create-litellm-db.sql');
    const database = /CREATE DATABASE (\w+);/.exec(sql)?.[1];
    expect(environment(services.litellm as Service).DATABASE_URL).toMatch(
      new RegExp(`@postgres:5432/${database}$`),
    );
    expect(environment(services.app as Service).DATABASE_URL).toMatch(
      /@postgres:5432\/\$\{POSTGRES_DB:-chatbot\}$/,
    );
  });

  it('takes every secret from .env, never from the file itself', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(environment(service))) {
        if (secretName.test(key)) expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z_]+/);
        if (/URL$/.test(key) && /@/.test(String(value))) {
          expect(String(value), `${name}.${key} password`).toMatch(/:\$\{[A-Z_]*PASSWORD[^}]*\}@/);
        }
      }
    }
    const composeText = readRepoFile('docker-compose.yml') + readRepoFile('docker-compose.scale.yml');
    const envExample = readRepoFile('.env.example');
    for (const name of interpolatedNames(composeText)) {
      expect(envExample, `${name} is documented in .env.example`).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
    }
  });

  it('gives LiteLLM every variable its config reads with os.environ/', () => {
    // Values only: the file's comments mention os.environ/NAME as an example.
    const values = JSON.stringify(loadYamlFile('litellm/config.yaml.example').data);
    const referenced = new Set(
      [...values.matchAll(/"os\.environ\/([A-Z_][A-Z0-9_]*)"/g)].map((match) => match[1]),
    );
    expect(referenced.size).toBeGreaterThan(4);
    const passed = Object.keys(environment(services.litellm as Service));
    for (const name of referenced) expect(passed, `litellm service passes ${name}`).toContain(name);
  });

  it('names only files that exist in the repository', () => {
    const sources = [...Object.values(services), ...Object.values(scaleServices)]
      .flatMap((service) => mounts(service))
      .filter((mount) => mount.type === 'bind')
      .map((mount) => mount.source.replace(/^\.\//, ''))
      // Real configs are git-ignored copies of committed examples.
      .map((source) => (source === 'litellm/config.yaml' ? 'litellm/config.yaml.example' : source));
    for (const source of sources) expect(repoFileExists(source), source).toBe(true);
  });
});

describe('docker-compose.scale.yml', () => {
  it('runs several app and LiteLLM replicas that publish no host port of their own', () => {
    for (const name of ['app', 'litellm']) {
      const override = scaleServices[name] as Service;
      expect((override.deploy as { replicas: number }).replicas, name).toBeGreaterThanOrEqual(2);
      expect(scale.document.getIn(['services', name, 'ports'], true)).toMatchObject({ tag: '!reset' });
    }
  });

  it('believes one proxy hop (nginx) only where the app is behind it and publishes no port', () => {
    // The base stack publishes the app itself: X-Forwarded-For is the client's to write there.
    expect(environment(services.app as Service).TRUST_PROXY).toBeUndefined();
    expect(services.app?.ports).toEqual(['${APP_PORT:-3000}:3000']);
    expect(environment(scaleServices.app as Service).TRUST_PROXY).toBe('1');
    expect(scale.document.getIn(['services', 'app', 'ports'], true)).toMatchObject({ tag: '!reset' });
    expect((scale.data as { services: { app: { ports: unknown[] } } }).services.app.ports).toEqual([]);
    expect(readRepoFile('deploy/nginx.conf')).toMatch(/^\s*proxy_set_header X-Forwarded-For \$remote_addr;/m);
  });

  it('puts a pinned nginx in front, configured by deploy/nginx.conf, on the app port', () => {
    const proxy = scaleServices.proxy as Service;
    expect(proxy.image).toMatch(/^nginx:\d+\.\d+/);
    expect(proxy.ports).toEqual(['${APP_PORT:-3000}:80']);
    expect(mounts(proxy)).toContainEqual({
      type: 'bind',
      source: './deploy/nginx.conf',
      target: '/etc/nginx/conf.d/default.conf',
      readOnly: true,
    });
    expect((proxy.depends_on as Record<string, { condition: string }>).app?.condition).toBe(
      'service_healthy',
    );
    expect(healthTest(proxy)).toMatch(/wget .*nginx-health/);
  });
});
