/**
 * docker-compose.yml gives `make up`'s demo on a machine with Docker: Kafka (official image,
 * KRaft), Redis, Postgres, topic provisioning and migrations, every app, health checks and start
 * order. No Docker engine here: the file is parsed and checked, and loaded by docker-compose
 * (Debian's v1 client, installed by `make k8s-tools`), which validates it offline.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, appsOfRepo } from './manifests';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  cap_drop?: string[];
  restart?: string;
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
const apps = appsOfRepo();

describe('docker-compose.yml', () => {
  it('runs Kafka from the official image in KRaft mode, Redis and Postgres, each with a health check', () => {
    expect(services.kafka.image).toMatch(/^apache\/kafka:\d+\.\d+\.\d+$/);
    expect(services.kafka.environment).toMatchObject({
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    });
    expect(services.kafka.environment?.KAFKA_CONTROLLER_QUORUM_VOTERS).toBeDefined();
    for (const name of ['kafka', 'redis', 'postgres'])
      expect({ name, health: Boolean(services[name].healthcheck) }).toEqual({ name, health: true });
  });

  it('provisions the topics after Kafka is healthy and migrates after Postgres is healthy', () => {
    expect(services['kafka-topics'].command).toEqual(['dist/scripts/provision-topics.js']);
    expect(services['kafka-topics'].depends_on).toMatchObject({
      kafka: { condition: 'service_healthy' },
    });
    expect(services.migrate.command).toEqual(['dist/scripts/migrate.js']);
    expect(services.migrate.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
    });
    for (const job of ['kafka-topics', 'migrate', 'demo']) expect(services[job].restart).toBe('no');
  });

  it.each(apps.map((a) => a.name))(
    'runs %s from the image, healthy on its port, after its dependencies',
    (name) => {
      const app = apps.find((a) => a.name === name)!;
      const s = services[name];
      expect(s).toBeDefined();
      expect(s.build).toBeDefined();
      expect(s.command).toEqual([`dist/apps/${name}/src/main.js`]);
      expect(s.environment?.PORT).toBe(String(app.port));
      expect(s.healthcheck?.test.join(' ')).toContain('/health');
      expect(s.read_only).toBe(true);
      expect(s.cap_drop).toEqual(['ALL']);
      if (name !== 'messenger-sim') {
        expect(s.depends_on).toMatchObject({
          'kafka-topics': { condition: 'service_completed_successfully' },
          migrate: { condition: 'service_completed_successfully' },
          redis: { condition: 'service_healthy' },
        });
        expect(s.environment).toMatchObject({
          KAFKA_BROKERS: 'kafka:9092',
          GRAPH_API_URL: 'http://messenger-sim:3900',
        });
      }
    },
  );

  it('plays the demo once every app is healthy, reaching the apps by service name', () => {
    const demo = services.demo;
    expect(demo.command).toEqual(['dist/scripts/demo.js']);
    for (const app of apps)
      expect(demo.depends_on?.[app.name]).toEqual({ condition: 'service_healthy' });
    expect(demo.environment).toMatchObject({
      DEMO_BRAND_API_URL: 'http://brand-api:3000',
      DEMO_GATEWAY_URL: 'http://messenger-gateway:3001',
      DEMO_SIM_URL: 'http://messenger-sim:3900',
    });
  });

  it('runs every app with the V8 flags of scripts/app-node-options.json, as k8s and make up do', () => {
    const flags = JSON.parse(readFileSync(join(ROOT, 'scripts', 'app-node-options.json'), 'utf8')) as Record<string, string>;
    expect(apps.map((a) => ({ app: a.name, NODE_OPTIONS: services[a.name]?.environment?.NODE_OPTIONS }))).toEqual(
      apps.map((a) => ({ app: a.name, NODE_OPTIONS: flags[a.name] })),
    );
  });

  it('has no dependency on a service it does not define', () => {
    for (const [name, s] of Object.entries(services))
      for (const dep of Object.keys(s.depends_on ?? {}))
        expect({ name, dep, defined: dep in services }).toEqual({ name, dep, defined: true });
  });

  it('loads in docker-compose, which validates it against the Compose schema offline', () => {
    try {
      execFileSync('docker-compose', ['version'], { stdio: 'ignore' });
    } catch {
      throw new Error(
        'docker-compose not found: run `make k8s-tools` (installs Debian’s docker-compose)',
      );
    }
    const out = execFileSync(
      'docker-compose',
      ['-f', join(ROOT, 'docker-compose.yml'), 'config', '--services'],
      {
        env: {
          ...process.env,
          SECRETS_KEYS: 'k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
          SECRETS_ACTIVE_KID: 'k1',
        },
        encoding: 'utf8',
      },
    );
    expect(out.trim().split('\n').sort()).toEqual(Object.keys(services).sort());
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  it('builds in stages and runs as a non-root user from a pinned base image', () => {
    const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)];
    expect(froms.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:\d+\.\d+-alpine[\d.]+$/m);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER 1000:1000$/m);
    expect(runtime).not.toMatch(/npm (ci|install)/);
  });

  it('builds the brand console into the image (dist/console, served by brand-api at /console)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toContain('build:console');
    expect(pkg.scripts['build:console']).toContain('vite build');
    expect(dockerfile).toMatch(/^COPY apps \.\/apps$/m);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^COPY --from=build .*\/src\/dist \.\/dist$/m);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignored.filter((l) => l.includes('console') || l === 'apps' || l === 'apps/brand-api')).toEqual([]);
  });

  it('keeps sources, secrets and local state out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['**/node_modules', 'dist', '.run', '.git', '**/.env', 'infra'])
      expect(ignored).toContain(entry);
  });
});
