/**
 * `make chaos` (scripts/chaos.sh starts the private Kafka and Redis this talks to, and stops them).
 *
 * Runs the six apps as children (logs and pid files in .run/<STACK>/, so `stack.sh down` can
 * always stop them), seeds a small catalog, and sends SHARES location shares through the real
 * webhook path (the simulator signs them, as Meta would, and the harness retries a webhook the
 * gateway did not take, as Meta does). A known subset must each yield exactly one promotion:
 * shoppers who said hello (so Messenger's window is open), sharing for the first time from inside
 * a store's fence, where an active offer applies and its caps allow one send. The rest share from
 * home (outside every fence) or again from the store they are already in (same visit: nothing new).
 *
 * While the load runs, the faults of CHAOS_PLAN happen one after the other, spread over the load:
 *   sigkill:<app>   SIGKILL the app, start it again, wait until /health answers
 *   sigterm:<app>   SIGTERM the app (graceful shutdown: exit code 0 within 10 s), start it again
 *   restart:kafka   restart the private broker (infra/kafka/kafka.sh restart)
 *   stop:redis:<s>  stop the private Redis for s seconds (SHUTDOWN, so its append-only file is
 *                   complete, as a restarted replica's would be), then start it again
 * Then it waits until quiet (every consumer group's lag 0 and no new Send API call for a while),
 * counts promotions at the simulator and writes CHAOS_RESULTS (bench/results/chaos.json).
 * Exit code 0 only when lost and duplicates are 0 and every graceful shutdown met its goal.
 */
import { StackClient, http, stackUrls, waitFor } from '@app/testing';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, writeFileSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
// Before any client: kafkajs 2.2.4's timer loop fixed, as in the apps (libs/kafka request-queue-fix.ts).
import '@app/kafka/request-queue-fix';
import { Kafka, logLevel } from 'kafkajs';
import { APP_PROCESS_ENV, nodeOptionsOf } from './app-node-options';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const ROOT = join(__dirname, '..', '..');
const STACK = process.env.STACK ?? 'chaos';
const RUN = join(ROOT, '.run', STACK);
const PORT_BASE = env('PORT_BASE', 4600);
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? 'localhost:9292';
const REDIS_PORT = env('CHAOS_REDIS_PORT', 6392);
const SHARES = env('SHARES', 10_000);
const RATE = env('RATE', 100);
const PAGES = env('PAGES', 5);
const STORES_PER_PAGE = env('STORES_PER_PAGE', 40);
const FIRST_INSIDE_SHARE = env('FIRST_INSIDE_SHARE', 0.2);
const AGAIN_INSIDE_SHARE = env('AGAIN_INSIDE_SHARE', 0.1);
const EVENTS_PER_WEBHOOK = env('EVENTS_PER_WEBHOOK', 5);
const MAX_EVENTS_PER_WEBHOOK = 50;
const MAX_WEBHOOKS_IN_FLIGHT = env('WEBHOOKS_IN_FLIGHT', 16);
const QUIET_SECONDS = env('QUIET_SECONDS', 15);
const SHUTDOWN_GOAL_MS = 10_000;
const PLAN = (process.env.CHAOS_PLAN ?? 'sigkill:geofence,sigkill:promotion-engine,sigkill:messenger-delivery,restart:kafka,stop:redis:10')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const RESULTS = process.env.CHAOS_RESULTS ?? join(ROOT, 'bench', 'results', 'chaos.json');

const APPS = ['messenger-sim', 'brand-api', 'messenger-gateway', 'geofence', 'promotion-engine', 'messenger-delivery'] as const;
type App = (typeof APPS)[number];
const PORTS: Record<App, number> = {
  'brand-api': PORT_BASE,
  'messenger-gateway': PORT_BASE + 1,
  geofence: PORT_BASE + 2,
  'promotion-engine': PORT_BASE + 3,
  'messenger-delivery': PORT_BASE + 4,
  'messenger-sim': PORT_BASE + 900,
};

const urls = stackUrls(PORT_BASE);
const adminToken = process.env.ADMIN_TOKEN ?? 'chaos-admin-token';
const client = new StackClient(urls, adminToken);
const run = randomBytes(3).toString('hex');
const started = Date.now();
const log = (message: string) => console.log(`[chaos +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const exec = promisify(execFile);

/** The apps' environment: the private broker and Redis, and what a chaos run needs to be judged. */
function appEnv(app: App): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...APP_PROCESS_ENV,
    PORT: String(PORTS[app]),
    KAFKA_BROKERS,
    KAFKA_GROUP_PREFIX: 'chaos-',
    REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}/0`,
    ADMIN_TOKEN: adminToken,
    SECRETS_KEYS: secretsKeys,
    SECRETS_ACTIVE_KID: 'chaos1',
    GRAPH_API_URL: urls.sim,
    GATEWAY_PUBLIC_URL: urls.gateway,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // The run must not depend on the hour it runs at.
    QUIET_HOURS: 'off',
    // Quick retries with many attempts: a send that met the Redis outage is retried within seconds.
    SEND_MAX_ATTEMPTS: '15',
    SEND_RETRY_DELAYS_MS: '500,1000,2000,4000',
    SIM_DELIVERY_RECEIPT_MS: '0',
    SIM_READ_RECEIPT_MS: '0',
  };
}
const secretsKeys = `chaos1:${randomBytes(32).toString('base64')}`;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Starts, kills and restarts the apps; the pid files let `stack.sh down` stop them whatever happens here. */
class Supervisor {
  private readonly children = new Map<App, { child: ChildProcess; exited: Promise<Exit> }>();

  start(app: App): void {
    mkdirSync(join(RUN, 'logs'), { recursive: true });
    mkdirSync(join(RUN, 'pids'), { recursive: true });
    const out = openSync(join(RUN, 'logs', `${app}.log`), 'a');
    const child = spawn(process.execPath, [...nodeOptionsOf(app), join(ROOT, 'dist', 'apps', app, 'src', 'main.js')], {
      env: appEnv(app),
      stdio: ['ignore', out, out],
      detached: true, // its own process group: a Ctrl-C of the harness reaches it only through the cleanup
    });
    closeSync(out);
    const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    writeFileSync(join(RUN, 'pids', `${app}.pid`), String(child.pid));
    this.children.set(app, { child, exited });
  }

  /** Sends the signal and resolves once the process is gone, with how long it took. */
  async kill(app: App, signal: NodeJS.Signals): Promise<Exit & { exitMs: number }> {
    const entry = this.children.get(app);
    if (!entry) throw new Error(`${app} is not running`);
    const at = Date.now();
    entry.child.kill(signal);
    // A process still there long after the goal is killed for good (and the run fails).
    const overdue = setTimeout(() => entry.child.kill('SIGKILL'), 30_000);
    const exit = await entry.exited;
    clearTimeout(overdue);
    this.children.delete(app);
    return { ...exit, exitMs: Date.now() - at };
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((app) => this.kill(app, 'SIGTERM')));
  }
}

/** What each app's /health said when it last failed, so that a run that times out names the culprit. */
const lastUnhealthy = new Map<App, string>();

async function healthy(app: App): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${PORTS[app]}/health`, { signal: AbortSignal.timeout(2000) });
    if (res.ok) {
      lastUnhealthy.delete(app);
      return true;
    }
    lastUnhealthy.set(app, `${res.status} ${(await res.text()).slice(0, 500)}`);
  } catch (error) {
    lastUnhealthy.set(app, `no answer: ${error instanceof Error ? error.message : String(error)}`);
  }
  return false;
}

/** Waits until every one of `apps` answers /health; a timeout says which were still unhealthy, and why. */
async function waitForHealth(what: string, apps: readonly App[], timeoutMs: number, everyMs: number): Promise<void> {
  try {
    await waitFor(what, async () => (await Promise.all(apps.map(healthy))).every(Boolean), timeoutMs, everyMs);
  } catch (error) {
    const report = apps.flatMap((app) => (lastUnhealthy.has(app) ? [`${app}: ${lastUnhealthy.get(app)}`] : [])).join('; ');
    throw new Error(`${error instanceof Error ? error.message : String(error)}; still unhealthy: ${report || 'none recorded'}`);
  }
}

interface Store { id: string; lat: number; lng: number }
interface Page { pageId: string; stores: Store[]; centre: [number, number] }
interface Shopper { page: Page; psid: string; home: { lat: number; lng: number }; inside?: Store }

const metresToLat = (m: number) => m / 111_320;
const metresToLng = (m: number, lat: number) => m / (111_320 * Math.cos((lat * Math.PI) / 180));

async function seedPage(i: number): Promise<Page> {
  const brand = await client.createBrand(`Chaos brand ${i} ${run}`);
  const pageId = `chaos${run}${i}`;
  await client.connectPage(brand.apiKey, {
    pageId,
    accessToken: `EAAchaos${randomBytes(12).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
    verifyToken: randomBytes(10).toString('hex'),
  });
  const centre: [number, number] = [44 + i * 0.5, 2 + i * 0.5];
  const stores: Store[] = [];
  for (let k = 0; k < STORES_PER_PAGE; k += 1) {
    // A grid 1 km apart: fences of 80 m never overlap.
    const lat = centre[0] + metresToLat(1000 * Math.floor(k / 10));
    const lng = centre[1] + metresToLng(1000 * (k % 10), centre[0]);
    const store = await client.createStore(brand.apiKey, {
      name: `Store ${k}`, externalId: `c${k}`, location: { lat, lng }, geofence: { type: 'circle', radiusM: 80 }, timezone: 'Europe/Paris',
    });
    stores.push({ id: store.id, lat, lng });
  }
  await client.createOffer(brand.apiKey, {
    name: 'Chaos offer', message: { title: `Chaos offer ${i}` }, trigger: 'enter', caps: { perShopperTotal: 1 },
    startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), status: 'active',
  });
  return { pageId, stores, centre };
}

/**
 * Sends webhooks like Meta: a few events per request, a bounded number of requests at once, and
 * a request the gateway did not take (an error status, no answer) retried with growing pauses
 * until it is taken, the same events with the same message ids.
 */
class Webhooks {
  private readonly queue = new Map<string, Record<string, unknown>[]>();
  inFlight = 0;
  retries = 0;

  enqueue(pageId: string, event: Record<string, unknown>): void {
    const events = this.queue.get(pageId) ?? [];
    events.push(event);
    this.queue.set(pageId, events);
    if (events.length >= EVENTS_PER_WEBHOOK) void this.flush(pageId);
  }

  flushAll(): void {
    for (const pageId of this.queue.keys()) void this.flush(pageId);
  }

  get pending(): number {
    let n = this.inFlight;
    for (const events of this.queue.values()) n += events.length;
    return n;
  }

  private async flush(pageId: string): Promise<void> {
    const queued = this.queue.get(pageId);
    if (!queued || queued.length === 0 || this.inFlight >= MAX_WEBHOOKS_IN_FLIGHT) return;
    const events = queued.splice(0, MAX_EVENTS_PER_WEBHOOK);
    this.inFlight += 1;
    const body = { object: 'page', entry: [{ id: pageId, time: Date.now(), messaging: events }] };
    try {
      for (let attempt = 0; ; attempt += 1) {
        const status = await http('POST', `${urls.sim}/__sim/pages/${pageId}/webhook`, body).then((r) => r.status, () => 0);
        if (status === 200) return;
        this.retries += 1;
        await sleep(Math.min(1000 * 2 ** attempt, 16_000));
      }
    } finally {
      this.inFlight -= 1;
    }
  }
}

/** Sum over every consumer group of the private broker of (end offset − committed offset). */
async function totalLag(admin: ReturnType<Kafka['admin']>): Promise<number> {
  const { groups } = await admin.listGroups();
  const ends = new Map<string, Map<number, number>>();
  let lag = 0;
  for (const { groupId } of groups) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      if (!ends.has(topic)) ends.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)])));
      for (const p of partitions) {
        const committed = Number(p.offset);
        if (committed >= 0) lag += Math.max(0, (ends.get(topic)?.get(p.partition) ?? 0) - committed);
      }
    }
  }
  return lag;
}

interface Fault {
  what: string;
  action: string;
  at: string;
  atSecond: number;
  /** From the fault until the restarted app (the broker, Redis: every app) answered /health again. */
  healthyAfterMs: number;
  exitCode?: number | null;
  exitSignal?: string | null;
  exitMs?: number;
  downMs?: number;
}

/** Performs one fault of the plan; resolves once the stack is healthy again. */
async function inject(step: string, supervisor: Supervisor, loadStart: number): Promise<Fault> {
  const [action, what, arg] = step.split(':');
  const at = Date.now();
  const fault: Fault = { what, action, at: new Date(at).toISOString(), atSecond: Math.round((at - loadStart) / 100) / 10, healthyAfterMs: 0 };
  log(`fault: ${step}`);
  if (action === 'sigkill' || action === 'sigterm') {
    if (!(APPS as readonly string[]).includes(what)) throw new Error(`unknown app in CHAOS_PLAN: ${what}`);
    const exit = await supervisor.kill(what as App, action === 'sigkill' ? 'SIGKILL' : 'SIGTERM');
    Object.assign(fault, { exitCode: exit.code, exitSignal: exit.signal, exitMs: exit.exitMs });
    log(`${what} exited (code ${exit.code}, signal ${exit.signal}) after ${exit.exitMs} ms; starting it again`);
    supervisor.start(what as App);
  } else if (action === 'restart' && what === 'kafka') {
    await exec(join(ROOT, 'infra', 'kafka', 'kafka.sh'), ['restart'], { env: process.env, cwd: ROOT });
  } else if (action === 'stop' && what === 'redis') {
    const downMs = Number(arg ?? 10) * 1000;
    await exec('redis-cli', ['-p', String(REDIS_PORT), 'shutdown']).catch(() => undefined); // the connection drops as it stops
    await sleep(downMs);
    await exec(join(ROOT, 'scripts', 'chaos-redis.sh'), ['up'], { env: process.env, cwd: ROOT });
    fault.downMs = Date.now() - at;
  } else {
    throw new Error(`unknown CHAOS_PLAN step: ${step}`);
  }
  // A restarted app: until it answers /health; the broker or Redis: until every app does.
  await waitForHealth(`${step} to be over`, action === 'sigkill' || action === 'sigterm' ? [what as App] : APPS, 300_000, 250);
  fault.healthyAfterMs = Date.now() - at;
  log(`healthy again ${fault.healthyAfterMs} ms after ${step}`);
  return fault;
}

async function main(): Promise<void> {
  const supervisor = new Supervisor();
  const kafka = new Kafka({ clientId: 'chaos-harness', brokers: KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  try {
    for (const app of APPS) supervisor.start(app);
    await waitForHealth('the stack to be healthy', APPS, 180_000, 500);
    log(`stack healthy on ${PORT_BASE}…; seeding ${PAGES} Pages × ${STORES_PER_PAGE} stores`);
    const pages: Page[] = [];
    for (let i = 0; i < PAGES; i += 1) pages.push(await seedPage(i));

    const firstInside = Math.round(SHARES * FIRST_INSIDE_SHARE);
    const againInside = Math.round(SHARES * AGAIN_INSIDE_SHARE);
    const outside = SHARES - firstInside - againInside;
    // Shoppers with a promotion due, and half as many sharing from home (each shares several times).
    const shoppers: Shopper[] = [];
    const homeShoppers = Math.max(1, Math.ceil(firstInside / 2));
    for (let k = 0; k < firstInside + homeShoppers; k += 1) {
      const page = pages[k % pages.length];
      shoppers.push({ page, psid: `c${run}${k}`, home: { lat: page.centre[0] - 0.2 - metresToLat(k * 10), lng: page.centre[1] } });
    }
    const webhooks = new Webhooks();
    // Requests held back by the bound on requests at once leave as soon as others are taken.
    const flusher = setInterval(() => webhooks.flushAll(), 50);
    log(`${shoppers.length} shoppers say hello`);
    for (const s of shoppers) {
      webhooks.enqueue(s.page.pageId, { sender: { id: s.psid }, recipient: { id: s.page.pageId }, timestamp: Date.now(), message: { mid: `m_${run}_${s.psid}_hello`, text: 'bonjour' } });
    }
    await waitFor('the hellos to be taken', async () => {
      webhooks.flushAll();
      return webhooks.pending === 0;
    }, 300_000, 100);
    await admin.connect();
    await waitFor('the hellos to be processed', async () => (await totalLag(admin)) === 0, 300_000, 500);

    // The order of the shares: every kind spread evenly over the run.
    const kinds: ('first' | 'again' | 'home')[] = [];
    for (let i = 0; i < SHARES; i += 1) {
      const want = (n: number) => Math.floor(((i + 1) * n) / SHARES) - Math.floor((i * n) / SHARES);
      if (want(firstInside)) kinds.push('first');
      else if (want(againInside) && kinds.includes('first')) kinds.push('again');
      else kinds.push('home');
    }
    const expected = new Set<string>();
    const dueShoppers = shoppers.slice(0, firstInside);
    const inside: Shopper[] = [];
    const home = shoppers.slice(firstInside);
    let nextDue = 0;
    let seq = 0;
    const share = (s: Shopper, lat: number, lng: number) => {
      seq += 1;
      webhooks.enqueue(s.page.pageId, {
        sender: { id: s.psid }, recipient: { id: s.page.pageId }, timestamp: Date.now(),
        message: { mid: `m_${run}_${s.psid}_${seq}`, attachments: [{ type: 'location', payload: { coordinates: { lat, long: lng } } }] },
      });
    };
    const oneShare = (kind: 'first' | 'again' | 'home') => {
      if (kind === 'first') {
        const s = dueShoppers[nextDue++];
        s.inside = s.page.stores[nextDue % s.page.stores.length];
        inside.push(s);
        expected.add(`${s.page.pageId}:${s.psid}`);
        share(s, s.inside.lat + metresToLat(10), s.inside.lng);
      } else if (kind === 'again' && inside.length > 0) {
        const s = inside[Math.floor(Math.random() * inside.length)];
        share(s, s.inside!.lat - metresToLat(10), s.inside!.lng); // 20 m from the last fix: the same visit
      } else {
        const s = home[Math.floor(Math.random() * home.length)];
        share(s, s.home.lat + metresToLat((Math.random() - 0.5) * 40), s.home.lng);
      }
    };

    const loadSeconds = SHARES / RATE;
    log(`load: ${SHARES} shares at ${RATE}/s (${loadSeconds.toFixed(0)} s; ${firstInside} must each yield one promotion, ${againInside} again from inside, ${outside} from home); plan: ${PLAN.join(', ')}`);
    const loadStart = Date.now();
    // Each fault at its time, whether or not the previous ones are over (a slow broker restart
    // must not push the Redis outage past the end of the load).
    const chaos = Promise.all(
      PLAN.map(async (step, i) => {
        await sleep(loadStart + ((i + 1) * loadSeconds * 1000) / (PLAN.length + 1) - Date.now());
        return inject(step, supervisor, loadStart);
      }),
    );
    const tick = 50;
    let sent = 0;
    for (let t = 0; sent < SHARES; t += tick) {
      const due = Math.min(SHARES, Math.round(((t + tick) * RATE) / 1000));
      while (sent < due) oneShare(kinds[sent++]);
      webhooks.flushAll();
      const wait = loadStart + t + tick - Date.now();
      if (wait > 0) await sleep(wait);
    }
    webhooks.flushAll();
    log(`all ${SHARES} shares sent; waiting for the faults to end and the webhooks to be taken`);
    const faults = await chaos;
    await waitFor('the webhooks to be taken', async () => {
      webhooks.flushAll();
      return webhooks.pending === 0;
    }, 600_000, 200);

    clearInterval(flusher);
    log('waiting until quiet (consumer lag 0, no new Send API call for a while)…');
    let lastCount = -1;
    let stableSince = Date.now();
    let sends = new Map<string, number>();
    await waitFor('the stack to be quiet', async () => {
      const now = new Map<string, number>();
      let count = 0;
      for (const p of pages) {
        const r = await http<{ sends?: { recipientId: string; body: { message?: { attachment?: { payload?: { template_type?: string } } } } }[] }>('GET', `${urls.sim}/__sim/pages/${p.pageId}/sends`);
        for (const s of r.body.sends ?? []) {
          if (s.body.message?.attachment?.payload?.template_type !== 'generic') continue; // promotions only
          const key = `${p.pageId}:${s.recipientId}`;
          now.set(key, (now.get(key) ?? 0) + 1);
          count += 1;
        }
      }
      sends = now;
      if (count !== lastCount) {
        lastCount = count;
        stableSince = Date.now();
        return false;
      }
      const lag = await totalLag(admin).catch(() => -1);
      return lag === 0 && Date.now() - stableSince >= QUIET_SECONDS * 1000;
    }, 900_000, 1000);

    let delivered = 0;
    let duplicates = 0;
    for (const key of expected) {
      const n = sends.get(key) ?? 0;
      if (n > 0) delivered += 1;
      duplicates += Math.max(0, n - 1);
    }
    for (const [key, n] of sends) if (!expected.has(key)) duplicates += n; // promotions nobody should have got
    const lostShoppers = [...expected].filter((key) => !sends.has(key));
    const result = {
      shares: SHARES,
      expectedPromotions: expected.size,
      delivered,
      lost: expected.size - delivered,
      duplicates,
      kills: faults,
      webhookRetries: webhooks.retries,
      ratePerSecond: RATE,
      plan: PLAN,
      seconds: Math.round((Date.now() - loadStart) / 1000),
      measuredAt: new Date().toISOString(),
      ...(lostShoppers.length ? { lostShoppers: lostShoppers.slice(0, 20) } : {}),
    };
    mkdirSync(dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    log(`wrote ${RESULTS}: ${JSON.stringify({ shares: SHARES, expectedPromotions: expected.size, delivered, lost: result.lost, duplicates })}`);
    const badShutdowns = faults.filter((f) => f.action === 'sigterm' && (f.exitCode !== 0 || (f.exitMs ?? Infinity) >= SHUTDOWN_GOAL_MS));
    for (const f of badShutdowns) log(`graceful shutdown missed its goal: ${f.what} exit code ${f.exitCode}, signal ${f.exitSignal}, ${f.exitMs} ms`);
    if (result.lost > 0 || duplicates > 0 || badShutdowns.length > 0) process.exitCode = 1;
  } finally {
    await admin.disconnect().catch(() => undefined);
    await supervisor.stopAll();
  }
}

main().catch((error: unknown) => {
  console.error(`chaos failed: ${error instanceof Error ? error.stack : String(error)}`);
  // Exit now: the load and the other faults of the plan still run their loops and timers (a failed
  // step rejects main's Promise.all without stopping them), and they kept the process, and with it
  // chaos.sh's cleanup of the broker and Redis, waiting until make's timeout (4 December 2026).
  process.exit(1);
});
