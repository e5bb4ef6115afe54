import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E } from '../setup/e2e-stack';

/**
 * The reduced chaos run (issue 7) and graceful shutdown, through scripts/chaos.sh: its own
 * broker, Redis, database and stack (ports derived from E2E_PORT_BASE, so checkouts testing at
 * once do not meet), never the shared ones this suite's other tests use. While 300 shares flow
 * through the webhook path, each app in turn is sent SIGTERM and must exit 0 within 10 s, and is
 * started again; then the engine is SIGKILLed and Redis stopped for 3 s. Every promotion due
 * must reach the simulator exactly once, and nothing of the run may be left running.
 */
const root = join(__dirname, '..', '..');
const stack = 'chaos-test';
const offset = E2E.portBase % 10_000;
const ports = { base: E2E.portBase + 50, kafka: 20_000 + offset, redis: 21_000 + offset };
const PLAN = [
  'sigterm:brand-api',
  'sigterm:messenger-gateway',
  'sigterm:geofence',
  'sigterm:promotion-engine',
  'sigterm:messenger-delivery',
  'sigkill:promotion-engine',
  'stop:redis:3',
];

interface ChaosResult {
  shares: number;
  expectedPromotions: number;
  delivered: number;
  lost: number;
  duplicates: number;
  kills: { what: string; action: string; exitCode?: number | null; exitSignal?: string | null; exitMs?: number; healthyAfterMs: number }[];
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('chaos (reduced) and graceful shutdown', () => {
  const results = join(mkdtempSync(join(tmpdir(), 'chaos-')), 'chaos.json');
  let output = '';
  let exitCode: number | null = null;

  beforeAll(async () => {
    const database = `${new URL(E2E.databaseUrl).pathname.slice(1)}_chaos`;
    exitCode = await new Promise<number | null>((resolve) => {
      const child = execFile('scripts/chaos.sh', [], {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          CHAOS_STACK: stack,
          CHAOS_PORT_BASE: String(ports.base),
          CHAOS_KAFKA_PORT: String(ports.kafka),
          CHAOS_REDIS_PORT: String(ports.redis),
          CHAOS_DATABASE: database,
          CHAOS_RESULTS: results,
          CHAOS_PLAN: PLAN.join(','),
          SHARES: '300',
          RATE: '5',
          PAGES: '2',
          STORES_PER_PAGE: '10',
          QUIET_SECONDS: '8',
        },
      });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => resolve(code));
    });
  }, 900_000);

  it('runs to the end and writes its figures', () => {
    if (exitCode !== 0 || !existsSync(results)) throw new Error(`chaos.sh exited ${exitCode}:\n${output.slice(-6000)}`);
  });

  it('delivers every promotion due exactly once', () => {
    const r = JSON.parse(readFileSync(results, 'utf8')) as ChaosResult;
    expect(r.shares).toBe(300);
    expect(r.expectedPromotions).toBe(60);
    expect({ delivered: r.delivered, lost: r.lost, duplicates: r.duplicates }).toEqual({ delivered: 60, lost: 0, duplicates: 0 });
  });

  it('stops every app on SIGTERM with exit code 0 within 10 s, and brings it back', () => {
    const r = JSON.parse(readFileSync(results, 'utf8')) as ChaosResult;
    const graceful = r.kills.filter((k) => k.action === 'sigterm');
    expect(graceful.map((k) => k.what)).toEqual(['brand-api', 'messenger-gateway', 'geofence', 'promotion-engine', 'messenger-delivery']);
    for (const k of graceful) {
      expect({ app: k.what, exitCode: k.exitCode, exitSignal: k.exitSignal }).toEqual({ app: k.what, exitCode: 0, exitSignal: null });
      expect(k.exitMs).toBeLessThan(10_000);
    }
    expect(r.kills.find((k) => k.action === 'sigkill')).toMatchObject({ what: 'promotion-engine', exitSignal: 'SIGKILL' });
    expect(r.kills).toHaveLength(PLAN.length);
    for (const k of r.kills) expect(k.healthyAfterMs).toBeGreaterThan(0);
  });

  it('leaves no process and no port of the run behind', async () => {
    const pids = join(root, '.run', stack, 'pids');
    const left = existsSync(pids)
      ? readdirSync(pids).map((f) => Number(readFileSync(join(pids, f), 'utf8'))).filter((pid) => alive(pid))
      : [];
    expect(left).toEqual([]);
    const open = [];
    for (const port of [ports.base, ports.base + 1, ports.base + 2, ports.base + 3, ports.base + 4, ports.base + 900, ports.kafka, ports.redis]) {
      if (await portOpen(port)) open.push(port);
    }
    expect(open).toEqual([]);
  });
});
