/**
 * `make bench`: the whole stack under load, through the real webhook path with valid signatures.
 *
 * Seeds BRANDS brands × STORES_PER_BRAND stores (bulk import) with 3 active offers each, makes
 * SHOPPERS shoppers say hello (through the simulator, which so learns that their 24-hour window
 * is open), then sends location shares as Meta does: signed `X-Hub-Signature-256` webhooks
 * straight to the gateway, each carrying up to EVENTS_PER_WEBHOOK messaging events of one Page
 * (Meta batches events into one POST the same way). A warm-up of WARMUP_SECONDS (20) at RATE,
 * not measured, lets the broker's and the apps' JIT compilers finish their work on the hot paths
 * (a fresh broker's C2 compiler alone took 0.16 of a core through a first minute of load); its
 * backlog drains before phase 1. Then two phases:
 *   1. a fixed RATE (1,000 shares/s) for RATE_SECONDS: latency from the moment the share was due
 *      on the schedule to the moment the simulator receives the promotion's Send API call;
 *   2. open loop at OPEN_RATE (5,000 shares/s) for MAX_SECONDS (60): shares are sent on schedule
 *      whatever the answers (up to MAX_IN_FLIGHT webhooks waiting); sustained throughput is what
 *      the gateway accepted and the geofence evaluated within the phase.
 * INSIDE_SHARE (10 %) of shares are inside a fence, each by a shopper who never shared before
 * (drawn from a pool that never shares from home, so no impossible-speed jump hides a visit), so
 * each must yield exactly one promotion: every expected promotion is known in advance, and lost
 * and duplicates are counted exactly at the simulator. The rest are shares near home, outside.
 * Every second it samples each app's CPU and RSS (/proc), the consumer lag of each stage
 * (Kafka admin), its own CPU and the load average. Writes bench/results/latest.json (merged with
 * other benches' figures), latest.md (tables) and latest.svg (throughput, latency and lag over
 * time, one point per second).
 */
import { Expositions, StackClient, StageTiming, http, stackUrls, stageTimings, waitFor, waitForProjections } from '@app/testing';
// Before any client: kafkajs 2.2.4's timer loop fixed, as in the apps (libs/kafka request-queue-fix.ts).
import '@app/kafka/request-queue-fix';
import { Kafka, logLevel } from 'kafkajs';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { ProcessGroupCpu, brokerPid, cpuSecondsOf, machineCpuSeconds } from './bench-cpu';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const BRANDS = env('BRANDS', 20);
const STORES_PER_BRAND = env('STORES_PER_BRAND', 5000);
const SHOPPERS = env('SHOPPERS', 200_000);
const RATE = env('RATE', 1000);
const RATE_SECONDS = env('RATE_SECONDS', 30);
const WARMUP_SECONDS = env('WARMUP_SECONDS', 20);
const OPEN_RATE = env('OPEN_RATE', 5000);
const MAX_SECONDS = env('MAX_SECONDS', 60);
const INSIDE_SHARE = env('INSIDE_SHARE', 0.1);
const EVENTS_PER_WEBHOOK = env('EVENTS_PER_WEBHOOK', 10);
const MAX_IN_FLIGHT = env('MAX_IN_FLIGHT', 256);
const PORT_BASE = env('PORT_BASE', 3000);
const GROUP_PREFIX = process.env.KAFKA_GROUP_PREFIX ?? '';
const STACK = process.env.STACK ?? 'bench';
const ROOT = join(__dirname, '..', '..');
const RESULTS = process.env.BENCH_RESULTS ?? join(ROOT, 'bench', 'results');

const urls = stackUrls(PORT_BASE);
const client = new StackClient(urls, process.env.ADMIN_TOKEN ?? 'dev-admin-token');
const run = randomBytes(3).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

// Cities the brands' stores are spread over (dense centres, sparse around).
const CITIES = [
  [48.8566, 2.3522], [45.764, 4.8357], [43.2965, 5.3698], [43.6047, 1.4442], [43.7102, 7.262],
  [47.2184, -1.5536], [48.5734, 7.7521], [43.6119, 3.8772], [44.8378, -0.5792], [50.6292, 3.0573],
];

interface Store { id: string; lat: number; lng: number; radiusM: number }
interface Brand { pageId: string; appSecret: string; stores: Store[]; offerIds: string[]; city: [number, number] }
interface Shopper { brand: number; psid: string; home: { lat: number; lng: number }; shares: number }

const metresToLat = (m: number) => m / 111_320;
const metresToLng = (m: number, lat: number) => m / (111_320 * Math.cos((lat * Math.PI) / 180));

function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - Math.random())) * Math.cos(2 * Math.PI * Math.random());
}

async function seedBrand(i: number): Promise<Brand> {
  const brand = await client.createBrand(`Bench brand ${i} ${run}`);
  const pageId = `bench${run}${i}`;
  const appSecret = randomBytes(16).toString('hex');
  await client.connectPage(brand.apiKey, { pageId, accessToken: `EAAbench${randomBytes(12).toString('hex')}`, appSecret, verifyToken: randomBytes(10).toString('hex') });
  const city = CITIES[i % CITIES.length] as [number, number];
  const stores: Store[] = [];
  const batch = 2500;
  for (let from = 0; from < STORES_PER_BRAND; from += batch) {
    const input = [];
    for (let k = from; k < Math.min(STORES_PER_BRAND, from + batch); k += 1) {
      const spreadM = k % 5 === 0 ? 40_000 : 6_000; // a fifth in the countryside
      const lat = city[0] + metresToLat(gaussian() * spreadM);
      const lng = city[1] + metresToLng(gaussian() * spreadM, city[0]);
      input.push({ externalId: `s${k}`, name: `Store ${k}`, location: { lat, lng }, geofence: { type: 'circle', radiusM: 50 + (k % 4) * 25 }, timezone: 'Europe/Paris' });
    }
    const report = await http<{ rejected: unknown[] }>('POST', `${urls.brandApi}/v1/stores/bulk`, { stores: input }, brand.apiKey);
    if (report.status !== 200 || report.body.rejected.length > 0) {
      throw new Error(`bulk import failed: ${report.status} ${JSON.stringify(report.body).slice(0, 300)}`);
    }
  }
  // The import report counts; read the stores back for their ids.
  let cursor: string | undefined;
  do {
    const page = await http<{ items: { id: string; location: { lat: number; lng: number }; geofence: { radiusM: number } }[]; nextCursor: string | null }>(
      'GET', `${urls.brandApi}/v1/stores?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, brand.apiKey);
    for (const s of page.body.items) stores.push({ id: s.id, lat: s.location.lat, lng: s.location.lng, radiusM: s.geofence.radiusM });
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  const offerIds: string[] = [];
  for (let o = 0; o < 3; o += 1) {
    const offer = await client.createOffer(brand.apiKey, {
      name: `Offer ${o}`, message: { title: `Bench offer ${o}` }, priority: o,
      startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 86_400_000).toISOString(), status: 'active',
    });
    offerIds.push(offer.id);
  }
  return { pageId, appSecret, stores, offerIds, city };
}

// ------------------------------------------------------------------------------------------------
// Sending: per-Page queues of messaging events, flushed as signed webhooks to the gateway.

type Messaging = Record<string, unknown>;
const queue = new Map<number, Messaging[]>();
const stats = { webhooks: 0, webhookRetries: 0, webhookFailedEvents: 0, accepted: 0, deferredTicks: 0 };
let inFlight = 0;
// The harness shares the machine's two cores with the stack: undici's pooled request costs a
// fraction of the CPU of the global fetch (scripts/cpu-profile-summary.ts showed fetch's overhead).
const webhookAgent = new Agent({ headersTimeout: 10_000, bodyTimeout: 10_000, connectTimeout: 10_000, keepAliveTimeout: 30_000 });

/** Posts one Page's events the way Meta does, retrying a failed delivery a few times as Meta does. */
async function postWebhook(brand: Brand, events: Messaging[], sentAt: (ms: number) => void, accepted: () => void = () => undefined): Promise<void> {
  inFlight += 1;
  try {
    const raw = JSON.stringify({ object: 'page', entry: [{ id: brand.pageId, time: Date.now(), messaging: events }] });
    const signature = `sha256=${createHmac('sha256', brand.appSecret).update(raw).digest('hex')}`;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      if (attempt > 0) {
        stats.webhookRetries += 1;
        await sleep(200 * 3 ** (attempt - 1));
      }
      sentAt(Date.now());
      stats.webhooks += 1;
      try {
        const r = await request(`${urls.gateway}/webhooks/messenger`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body: raw, dispatcher: webhookAgent });
        await r.body.dump();
        if (r.statusCode === 200) {
          accepted();
          stats.accepted += events.length;
          acceptedPerSecond.add(Math.floor(Date.now() / 1000), events.length);
          return;
        }
      } catch {
        // timeout or connection error: retried like a 5xx
      }
    }
    stats.webhookFailedEvents += events.length;
  } finally {
    inFlight -= 1;
  }
}

/** Hellos go through the simulator, which records that each shopper's window is open. */
async function postHello(brand: Brand, events: Messaging[]): Promise<void> {
  inFlight += 1;
  try {
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const r = await http('POST', `${urls.sim}/__sim/pages/${brand.pageId}/webhook`, { object: 'page', entry: [{ id: brand.pageId, time: Date.now(), messaging: events }] }).catch(() => ({ status: 0 }));
      if (r.status === 200) return;
      await sleep(500);
    }
    throw new Error(`hellos of ${brand.pageId} were not taken`);
  } finally {
    inFlight -= 1;
  }
}

class PerSecond {
  readonly counts = new Map<number, number>();
  add(second: number, n = 1): void {
    this.counts.set(second, (this.counts.get(second) ?? 0) + n);
  }
  get(second: number): number {
    return this.counts.get(second) ?? 0;
  }
}
const sharesPerSecond = new PerSecond();
const acceptedPerSecond = new PerSecond();

/** `${pageId}:${psid}` of each inside share → when its webhook was first sent. */
const expected = new Map<string, number>();
/**
 * The inside shares the gateway accepted (HTTP 200). One it refused four times (503: Kafka did not
 * acknowledge in time) is not the system's to deliver: Meta would go on retrying it, the harness
 * gives up. Such shares are counted apart, never as lost.
 */
const acceptedInside = new Set<string>();

function flush(brands: Brand[], index: number): void {
  const events = queue.get(index);
  if (!events || events.length === 0) return;
  queue.set(index, []);
  const brand = brands[index];
  // An inside share's latency runs from when it was due, not from when its webhook left: a share
  // held back by the in-flight cap waited in the system's stead (no coordinated omission).
  const inside = events.filter((e) => (e as { dueAt?: number }).dueAt !== undefined).map((e) => [`${brand.pageId}:${(e.sender as { id: string }).id}`, (e as { dueAt: number }).dueAt] as const);
  const insideKeys = inside.map(([key]) => key);
  for (const e of events) delete (e as { dueAt?: number }).dueAt;
  void postWebhook(
    brand,
    events,
    (ms) => {
      for (const [key, dueAt] of inside) if (!expected.has(key)) expected.set(key, Math.min(dueAt, ms));
    },
    () => {
      for (const key of insideKeys) acceptedInside.add(key);
    },
  );
}

function share(brands: Brand[], shopper: Shopper, inside: Store | null, dueAt = Date.now()): void {
  const now = Date.now();
  let lat: number;
  let lng: number;
  if (inside) {
    lat = inside.lat + metresToLat((Math.random() - 0.5) * inside.radiusM * 0.5);
    lng = inside.lng + metresToLng((Math.random() - 0.5) * inside.radiusM * 0.5, inside.lat);
  } else {
    lat = shopper.home.lat + metresToLat((Math.random() - 0.5) * 40);
    lng = shopper.home.lng + metresToLng((Math.random() - 0.5) * 40, shopper.home.lat);
  }
  shopper.shares += 1;
  sharesPerSecond.add(Math.floor(now / 1000));
  const pageId = brands[shopper.brand].pageId;
  const events = queue.get(shopper.brand) ?? [];
  events.push({
    sender: { id: shopper.psid }, recipient: { id: pageId }, timestamp: now, ...(inside ? { dueAt } : {}),
    message: { mid: `m_${run}_${shopper.psid}_${shopper.shares}`, attachments: [{ type: 'location', title: 'Pinned location', payload: { coordinates: { lat, long: lng } } }] },
  });
  queue.set(shopper.brand, events);
  if (events.length >= EVENTS_PER_WEBHOOK) flush(brands, shopper.brand);
}

// ------------------------------------------------------------------------------------------------
// Sampling: every second, each app's CPU and RSS, each stage's consumer lag, the harness's CPU.

const APPS = ['messenger-sim', 'brand-api', 'messenger-gateway', 'geofence', 'promotion-engine', 'messenger-delivery'];
const STAGES: { name: string; topic: string; group: string }[] = [
  { name: 'gateway → geofence (shopper.location.v1)', topic: 'shopper.location.v1', group: 'geofence-locations' },
  { name: 'geofence → engine (geofence.transition.v1)', topic: 'geofence.transition.v1', group: 'promotion-engine-transitions' },
  { name: 'engine → delivery (promotion.send-request.v1)', topic: 'promotion.send-request.v1', group: 'messenger-delivery-sends' },
  { name: 'gateway → engine (shopper.interaction.v1)', topic: 'shopper.interaction.v1', group: 'promotion-engine-interactions' },
  { name: 'gateway → delivery (shopper.interaction.v1)', topic: 'shopper.interaction.v1', group: 'messenger-delivery-interactions' },
  { name: 'delivery → engine (delivery.status.v1)', topic: 'delivery.status.v1', group: 'promotion-engine' },
];

interface Sample {
  second: number;
  load1: number;
  harnessCpu: number;
  cpu: Record<string, number>;
  rssMb: Record<string, number>;
  lag: Record<string, number>;
  /** Sum of the geofence-locations group's committed offsets: shares evaluated so far. */
  evaluated: number;
}

function pidsOfApps(): Record<string, number> {
  const dir = join(ROOT, '.run', STACK, 'pids');
  const pids: Record<string, number> = {};
  for (const file of existsSync(dir) ? readdirSync(dir) : []) {
    const app = file.replace(/\.pid$/, '');
    if (APPS.includes(app)) pids[app] = Number(readFileSync(join(dir, file), 'utf8').trim());
  }
  return pids;
}

/** Rows of the CPU table that are not apps. */
const INFRA = {
  broker: 'Kafka broker',
  redis: 'Redis',
  postgres: 'PostgreSQL',
  machine: 'whole machine (every process, /proc/stat)',
  steal: 'stolen by the hypervisor',
} as const;

function rssMbOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/**
 * CPU, RSS and load are read every second from /proc, never waiting on anything; consumer lag is
 * polled by its own loop (Kafka admin calls can take seconds on a busy broker) and each second's
 * sample carries the latest lag reading.
 */
class Sampler {
  readonly samples: Sample[] = [];
  private timer?: NodeJS.Timeout;
  private readonly kafka = new Kafka({ clientId: `${GROUP_PREFIX}bench-sampler`, brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), logLevel: logLevel.NOTHING });
  private readonly admin = this.kafka.admin();
  private readonly pids = pidsOfApps();
  /** The private broker of scripts/bench-broker.sh (its pid file is in its data dir). */
  private readonly brokerPid = brokerPid(ROOT);
  private readonly redis = new ProcessGroupCpu('redis-server');
  // Backends come and go: read every second (sample()) so that an ended one's CPU is kept.
  private readonly postgres = new ProcessGroupCpu('postgres');
  private last = { cpu: {} as Record<string, number>, harness: process.cpuUsage(), at: Date.now() };
  private latestLag: { lag: Record<string, number>; evaluated: number } = { lag: {}, evaluated: NaN };
  private running = false;
  private lagLoop?: Promise<void>;

  async start(): Promise<void> {
    await this.admin.connect();
    for (const [app, pid] of Object.entries(this.pids)) this.last.cpu[app] = cpuSecondsOf(pid);
    this.running = true;
    this.lagLoop = this.pollLags();
    this.timer = setInterval(() => this.sample(), 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.running = false;
    await this.lagLoop;
    await this.admin.disconnect();
  }

  /**
   * CPU seconds so far of each app, of what the apps run on (the broker, Redis, PostgreSQL), and
   * of the whole machine (every process, the load generator and the OS included) with the time
   * the hypervisor took for other guests ("steal"): differences between two readings are what a
   * phase cost.
   */
  cpuTotals(): Record<string, number> {
    const machine = machineCpuSeconds();
    return {
      ...Object.fromEntries(Object.entries(this.pids).map(([app, pid]) => [app, cpuSecondsOf(pid)])),
      [INFRA.broker]: this.brokerPid === null ? NaN : cpuSecondsOf(this.brokerPid),
      [INFRA.redis]: this.redis.seconds(),
      [INFRA.postgres]: this.postgres.seconds(),
      [INFRA.machine]: machine.busy,
      [INFRA.steal]: machine.steal,
    };
  }

  /** The last lag reading of each stage. */
  lag(): Record<string, number> {
    return this.latestLag.lag;
  }

  /** The last known count of shares the geofence evaluated (its group's committed offsets). */
  evaluated(): number {
    return this.latestLag.evaluated;
  }

  private sample(): void {
    const now = Date.now();
    const elapsed = (now - this.last.at) / 1000;
    const cpu: Record<string, number> = {};
    const rssMb: Record<string, number> = {};
    for (const [app, pid] of Object.entries(this.pids)) {
      const total = cpuSecondsOf(pid);
      cpu[app] = (total - this.last.cpu[app]) / elapsed;
      this.last.cpu[app] = total;
      rssMb[app] = rssMbOf(pid);
    }
    this.postgres.seconds();
    const harness = process.cpuUsage(this.last.harness);
    this.last.harness = process.cpuUsage();
    this.last.at = now;
    this.samples.push({ second: Math.floor(now / 1000), load1: loadavg()[0], harnessCpu: (harness.user + harness.system) / 1e6 / elapsed, cpu, rssMb, lag: this.latestLag.lag, evaluated: this.latestLag.evaluated });
  }

  private async pollLags(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      try {
        this.latestLag = await Promise.race([this.lags(), sleep(10_000).then(() => Promise.reject(new Error('lag poll timed out')))]);
      } catch {
        // a missed reading (busy broker) leaves the previous one in the next samples
      }
      await sleep(Math.max(0, 1000 - (Date.now() - started)));
    }
  }

  private async lags(): Promise<{ lag: Record<string, number>; evaluated: number }> {
    const topics = [...new Set(STAGES.map((s) => s.topic))];
    const highs = new Map(await Promise.all(topics.map(async (topic) => [topic, new Map((await this.admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]))] as const)));
    const committed = await Promise.all(STAGES.map((stage) => this.admin.fetchOffsets({ groupId: `${GROUP_PREFIX}${stage.group}`, topics: [stage.topic] })));
    const lag: Record<string, number> = {};
    let evaluated = 0;
    STAGES.forEach((stage, i) => {
      let total = 0;
      for (const p of committed[i][0]?.partitions ?? []) {
        const high = highs.get(stage.topic)?.get(p.partition) ?? 0;
        const at = Number(p.offset);
        total += at >= 0 ? Math.max(0, high - at) : 0;
        if (stage.group === 'geofence-locations') evaluated += Math.max(0, at);
      }
      lag[stage.name] = total;
    });
    return { lag, evaluated };
  }
}

// ------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const startedAt = new Date();
  log(`seeding ${BRANDS} brands × ${STORES_PER_BRAND} stores, 3 offers each…`);
  const seedStart = Date.now();
  const brands: Brand[] = [];
  for (let i = 0; i < BRANDS; i += 1) brands.push(await seedBrand(i));
  const seedSeconds = (Date.now() - seedStart) / 1000;
  log(`seeded in ${seedSeconds.toFixed(1)} s; waiting for the geofence's and the engine's projections of every store and offer…`);
  const storeIds = brands.flatMap((b) => b.stores.map((st) => st.id));
  for (let i = 0; i < storeIds.length; i += 2000) {
    await waitForProjections(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0', storeIds.slice(i, i + 2000), i === 0 ? brands.flatMap((b) => b.offerIds) : [], 1_800_000);
  }
  const projectedSeconds = (Date.now() - seedStart) / 1000;
  log(`projected after ${projectedSeconds.toFixed(1)} s`);

  // Shoppers live 330 km from their brand's stores (a share "at home" is outside every fence). The
  // first INSIDE_POOL of them only ever share inside a fence, once each.
  const shoppers: Shopper[] = [];
  for (let k = 0; k < SHOPPERS; k += 1) {
    const b = k % BRANDS;
    const [clat, clng] = brands[b].city;
    shoppers.push({ brand: b, psid: `p${run}${k}`, home: { lat: clat + metresToLat(gaussian() * 20_000) + 3, lng: clng + metresToLng(gaussian() * 20_000, clat) }, shares: 0 });
  }
  const sampler = new Sampler();
  await sampler.start();
  const insidePool = Math.min(SHOPPERS - 1, Math.ceil((RATE * (WARMUP_SECONDS + RATE_SECONDS) + OPEN_RATE * MAX_SECONDS) * INSIDE_SHARE * 1.1));
  log(`${SHOPPERS} shoppers say hello (the first ${insidePool} will share inside a fence once each)…`);
  const helloStart = Date.now();
  for (let b = 0; b < BRANDS; b += 1) {
    const mine = shoppers.filter((s) => s.brand === b);
    for (let i = 0; i < mine.length; i += 50) {
      const events = mine.slice(i, i + 50).map((s) => ({ sender: { id: s.psid }, recipient: { id: brands[b].pageId }, timestamp: Date.now() - 60_000, message: { mid: `m_${run}_${s.psid}_hello`, text: 'bonjour' } }));
      void postHello(brands[b], events);
      while (inFlight >= 32) await sleep(2);
    }
  }
  await waitFor('hellos to be taken', async () => inFlight === 0, 600_000, 50);
  log(`hellos taken by the gateway in ${((Date.now() - helloStart) / 1000).toFixed(1)} s; waiting for the engine and delivery to read them all`);
  // A share judged before the engine saw the shopper's hello would be skipped (window closed).
  await waitFor('the hellos to be consumed', async () => {
    const lag = sampler.lag();
    return lag['gateway → engine (shopper.interaction.v1)'] === 0 && lag['gateway → delivery (shopper.interaction.v1)'] === 0;
  }, 1_800_000, 1000);
  const helloSeconds = (Date.now() - helloStart) / 1000;
  log(`hellos consumed after ${helloSeconds.toFixed(1)} s`);
  await sleep(3000);

  let fresh = 0;
  let insideExhausted = 0;
  const fromHome = () => shoppers[insidePool + Math.floor(Math.random() * (SHOPPERS - insidePool))];
  const oneShare = (dueAt: number) => {
    if (Math.random() < INSIDE_SHARE && fresh < insidePool) {
      const s = shoppers[fresh++];
      const stores = brands[s.brand].stores;
      share(brands, s, stores[Math.floor(Math.random() * stores.length)], dueAt);
    } else {
      if (fresh >= insidePool) insideExhausted += 1;
      share(brands, fromHome(), null);
    }
  };

  /** Sends `rate` shares per second for `seconds`, on schedule (open loop), in 10 ms ticks. */
  const paced = async (rate: number, seconds: number) => {
    const start = Date.now();
    let sent = 0;
    while (Date.now() - start < seconds * 1000) {
      const due = Math.floor(((Date.now() - start) * rate) / 1000);
      // Never more than MAX_IN_FLIGHT webhooks waiting: checked per share, not per tick, so the
      // shares due while the cap was reached do not leave in one burst of thousands of webhooks.
      for (; sent < due && inFlight < MAX_IN_FLIGHT; sent += 1) oneShare(start + (sent * 1000) / rate);
      if (sent < due) stats.deferredTicks += 1;
      for (let b = 0; b < brands.length && inFlight < MAX_IN_FLIGHT; b += 1) flush(brands, b);
      await sleep(10);
    }
    for (let b = 0; b < brands.length; b += 1) flush(brands, b);
    return sent;
  };

  if (WARMUP_SECONDS > 0) {
    log(`warm-up (not measured): ${RATE} shares/s for ${WARMUP_SECONDS} s, then until every stage has caught up`);
    await paced(RATE, WARMUP_SECONDS);
    await waitFor('warm-up webhooks to be answered', async () => inFlight === 0, 120_000, 50);
    await waitFor('every stage to catch up', async () => Object.values(sampler.lag()).every((lag) => lag === 0), 600_000, 500);
    await sleep(2000);
  }
  const warmupExpected = new Set(expected.keys());
  const harnessCpu0 = process.cpuUsage();
  const appCpu0 = sampler.cpuTotals();

  const stagesBefore = await scrapeStages();
  log(`phase 1: ${RATE} shares/s for ${RATE_SECONDS} s`);
  const phase1Start = Date.now();
  await paced(RATE, RATE_SECONDS);
  const phase1End = Date.now();
  const phase1Expected = new Set(expected.keys());
  const phase1Cpu = { harness: process.cpuUsage(harnessCpu0), apps: sampler.cpuTotals() };
  await waitFor('phase 1 webhooks to be answered', async () => inFlight === 0, 120_000, 50);
  await sleep(5000);
  // Phase 1's shares have gone through every stage by now (or are late, and counted as such).
  const stagesAtRate = stageTimings(stagesBefore, await scrapeStages());

  log(`phase 2: open loop at ${OPEN_RATE} shares/s for ${MAX_SECONDS} s`);
  const phase2Cpu0 = { harness: process.cpuUsage(), apps: sampler.cpuTotals() };
  const evaluated0 = sampler.evaluated();
  const phase2Start = Date.now();
  await paced(OPEN_RATE, MAX_SECONDS);
  const phase2End = Date.now();
  const phase2Cpu = { harness: process.cpuUsage(phase2Cpu0.harness), apps: sampler.cpuTotals() };
  const acceptedInPhase2 = [...acceptedPerSecond.counts].filter(([s]) => s >= Math.floor(phase2Start / 1000) && s < Math.floor(phase2End / 1000)).reduce((n, [, c]) => n + c, 0);
  const evaluatedAtEnd = sampler.evaluated();
  await waitFor('the last webhooks to be answered', async () => inFlight === 0, 300_000, 50);
  const lastAnswer = Date.now();

  log('waiting until the simulator has every expected promotion, or nothing more comes for 60 s…');
  let lastCount = -1;
  let lastChange = Date.now();
  const sends = new Map<string, number[]>();
  await waitFor('the stack to be quiet', async () => {
    sends.clear();
    let count = 0;
    for (const b of brands) {
      const r = await http<{ sends: { recipientId: string; receivedAt: string; body: { message?: { attachment?: { payload?: { template_type?: string } } } } }[] }>('GET', `${urls.sim}/__sim/pages/${b.pageId}/sends`);
      for (const s of r.body.sends ?? []) {
        if (s.body.message?.attachment?.payload?.template_type !== 'generic') continue; // promotions only
        const key = `${b.pageId}:${s.recipientId}`;
        sends.set(key, [...(sends.get(key) ?? []), Date.parse(s.receivedAt)]);
        count += 1;
      }
    }
    if (count !== lastCount) lastChange = Date.now();
    lastCount = count;
    return count >= expected.size || Date.now() - lastChange > 60_000;
  }, 1_800_000, 5000);
  const drainedAt = Math.max(...[...sends.values()].flat(), lastAnswer);
  await sleep(2000);
  await sampler.stop();

  // ----------------------------------------------------------------------------------------------
  // Figures.
  let delivered = 0;
  let duplicates = 0;
  const phase1Latencies: number[] = [];
  const latencyBySecond = new Map<number, number[]>();
  const deliveredPerSecond = new PerSecond();
  let notAccepted = 0;
  let deliveredNotAccepted = 0;
  for (const [key, at] of expected) {
    const got = sends.get(key) ?? [];
    if (!acceptedInside.has(key)) {
      // Refused by the gateway every time; it may still have reached Kafka (a late acknowledgement).
      notAccepted += 1;
      if (got.length > 0) deliveredNotAccepted += 1;
      duplicates += Math.max(0, got.length - 1);
      continue;
    }
    if (got.length > 0) {
      delivered += 1;
      // Warm-up promotions count for lost and duplicates, not for latency.
      if (warmupExpected.has(key)) {
        duplicates += Math.max(0, got.length - 1);
        continue;
      }
      const latency = got[0] - at;
      if (phase1Expected.has(key)) phase1Latencies.push(latency);
      const second = Math.floor(at / 1000);
      latencyBySecond.set(second, [...(latencyBySecond.get(second) ?? []), latency]);
    }
    duplicates += Math.max(0, got.length - 1);
  }
  let unexpectedPromotions = 0;
  for (const [key, got] of sends) {
    if (!expected.has(key)) {
      unexpectedPromotions += 1; // a shopper who never entered a fence
      duplicates += got.length - 1;
    }
    for (const t of got) deliveredPerSecond.add(Math.floor(t / 1000));
  }
  phase1Latencies.sort((a, b) => a - b);
  const pct = (values: number[], p: number) => (values.length ? values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] : null);
  const phase2Seconds = (phase2End - phase2Start) / 1000;
  const evaluatedInPhase2 = Number.isFinite(evaluatedAtEnd - evaluated0) ? evaluatedAtEnd - evaluated0 : 0;
  const cpuOf = (a: Record<string, number>, b: Record<string, number>, seconds: number) => Object.fromEntries(Object.keys(b).map((k) => [k, Number(((b[k] - a[k]) / seconds).toFixed(2))]));
  const peak = (f: (s: Sample) => number) => sampler.samples.reduce((m, s) => Math.max(m, f(s)), 0);
  const phase2Samples = sampler.samples.filter((s) => s.second * 1000 >= phase2Start && s.second * 1000 < phase2End);
  const e2e = {
    sharesPerSec: Math.round(Math.min(acceptedInPhase2, evaluatedInPhase2 > 0 ? evaluatedInPhase2 : acceptedInPhase2) / phase2Seconds),
    atRatePerSec: RATE,
    p50Ms: pct(phase1Latencies, 50), p95Ms: pct(phase1Latencies, 95), p99Ms: pct(phase1Latencies, 99),
    promotionsDelivered: delivered, expectedPromotions: expected.size - notAccepted,
    lost: expected.size - notAccepted - delivered, duplicates, unexpectedPromotions,
    insideSharesNeverAccepted: notAccepted, insideSharesNeverAcceptedButDelivered: deliveredNotAccepted,
    offeredPerSec: OPEN_RATE,
    acceptedPerSec: Math.round(acceptedInPhase2 / phase2Seconds),
    evaluatedPerSec: Math.round(evaluatedInPhase2 / phase2Seconds),
    phase2LatencyP50Ms: pct([...latencyBySecond].filter(([s]) => s * 1000 >= phase2Start).flatMap(([, l]) => l).sort((a, b) => a - b), 50),
    phase2LatencyP99Ms: pct([...latencyBySecond].filter(([s]) => s * 1000 >= phase2Start).flatMap(([, l]) => l).sort((a, b) => a - b), 99),
    drainSecondsAfterPhase2: Math.round((drainedAt - phase2End) / 100) / 10,
    webhooks: stats.webhooks, webhookRetries: stats.webhookRetries, webhookFailedEvents: stats.webhookFailedEvents,
    eventsPerWebhook: EVENTS_PER_WEBHOOK, harnessBehindTicks: stats.deferredTicks, insideSharesNotSentPoolExhausted: insideExhausted,
    warmupSeconds: WARMUP_SECONDS, phase1Seconds: (phase1End - phase1Start) / 1000, phase2Seconds,
    brands: BRANDS, storesPerBrand: STORES_PER_BRAND, shoppers: SHOPPERS, seedSeconds, projectedSeconds, helloSeconds,
    stagesAtRate,
  };
  const cpu = {
    phase1CoresUsed: { harness: Number(((phase1Cpu.harness.user + phase1Cpu.harness.system) / 1e6 / e2e.phase1Seconds).toFixed(2)), ...cpuOf(appCpu0, phase1Cpu.apps, e2e.phase1Seconds) },
    phase2CoresUsed: { harness: Number(((phase2Cpu.harness.user + phase2Cpu.harness.system) / 1e6 / phase2Seconds).toFixed(2)), ...cpuOf(phase2Cpu0.apps, phase2Cpu.apps, phase2Seconds) },
    cpuMsPerShareEvaluatedInPhase2: Object.fromEntries(Object.keys(phase2Cpu.apps).map((k) => [k, evaluatedInPhase2 > 0 ? Number((((phase2Cpu.apps[k] - phase2Cpu0.apps[k]) * 1000) / evaluatedInPhase2).toFixed(3)) : null])),
  };
  const lagPeak = Object.fromEntries(STAGES.map((s) => [s.name, peak((x) => x.lag[s.name] ?? 0)]));
  const lagEndOfPhase2 = Object.fromEntries(STAGES.map((s) => [s.name, phase2Samples[phase2Samples.length - 1]?.lag[s.name] ?? null]));
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memGb: Math.round(totalmem() / 2 ** 30), node: process.version };
  const load = { atStart: sampler.samples[0]?.load1 ?? null, peak: peak((s) => s.load1), mean: Number((sampler.samples.reduce((n, s) => n + s.load1, 0) / Math.max(1, sampler.samples.length)).toFixed(1)) };
  const rssPeakMb = Object.fromEntries(APPS.map((a) => [a, Math.round(peak((s) => s.rssMb[a] ?? 0))]));
  log(JSON.stringify({ e2e, cpu, lagPeak, load }));

  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, 'latest.json');
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  // rssMb (peak VmHWM per app) is added by scripts/bench-e2e.sh once this process has finished.
  writeFileSync(file, `${JSON.stringify({ ...previous, e2e, cpu, consumerLag: { peak: lagPeak, endOfPhase2: lagEndOfPhase2 }, rssSampledPeakMb: rssPeakMb, load, machine, measuredAt: startedAt.toISOString() }, null, 2)}\n`);

  const t0 = Math.floor(phase1Start / 1000);
  const timeline = sampler.samples.filter((s) => s.second >= t0);
  const seconds = [...new Set(timeline.map((s) => s.second))].sort((a, b) => a - b);
  const series = (f: (second: number) => number | null) => seconds.map((s) => [s - t0, f(s)] as [number, number | null]);
  const latencyAt = (p: number) => (s: number) => pct((latencyBySecond.get(s) ?? []).slice().sort((a, b) => a - b), p);
  writeFileSync(join(RESULTS, 'e2e-timeseries.json'), `${JSON.stringify({ t0, samples: sampler.samples, sharesPerSecond: [...sharesPerSecond.counts], acceptedPerSecond: [...acceptedPerSecond.counts], deliveredPerSecond: [...deliveredPerSecond.counts], p50: series(latencyAt(50)), p99: series(latencyAt(99)) })}\n`);
  writeFileSync(join(RESULTS, 'latest.svg'), chart({
    phases: [[0, (phase1End - phase1Start) / 1000, `phase 1: ${RATE}/s`], [(phase2Start - phase1Start) / 1000, (phase2End - phase1Start) / 1000, `phase 2: open loop ${OPEN_RATE}/s`]],
    throughput: [
      ['shares sent/s', '#1f77b4', series((s) => sharesPerSecond.get(s))],
      ['accepted by the gateway/s', '#2ca02c', series((s) => acceptedPerSecond.get(s))],
      ['evaluated by the geofence/s', '#9467bd', timeline.map((s, i) => [s.second - t0, i > 0 && s.evaluated !== timeline[i - 1].evaluated ? (s.evaluated - timeline[i - 1].evaluated) / (s.second - timeline[i - 1].second || 1) : null] as [number, number | null])],
      ['promotions delivered/s (×10)', '#d62728', series((s) => deliveredPerSecond.get(s) * 10)],
    ],
    latency: [
      ['p50', '#ff7f0e', series(latencyAt(50))],
      ['p99', '#8c564b', series(latencyAt(99))],
    ],
    lag: STAGES.slice(0, 3).map((stage, i) => [stage.name, ['#17becf', '#bcbd22', '#7f7f7f'][i], timeline.map((s) => [s.second - t0, s.lag[stage.name] ?? null] as [number, number | null])]),
    title: `make bench ${startedAt.toISOString().slice(0, 16)}Z — ${BRANDS}×${STORES_PER_BRAND} stores, ${SHOPPERS} shoppers, load average ${load.mean} on ${machine.cores} cores`,
  }));
  writeFileSync(join(RESULTS, 'latest.md'), summary({ e2e, cpu, lagPeak, lagEndOfPhase2, load, machine, startedAt, rssPeakMb }));
  log(`wrote ${join(RESULTS, 'latest.json')}, latest.md, latest.svg`);
  await webhookAgent.close();
}

// ------------------------------------------------------------------------------------------------
// The chart: three panels sharing the time axis, one point per second, plain SVG.

type Series = [label: string, colour: string, points: [number, number | null][]];

function chart(input: { title: string; phases: [number, number, string][]; throughput: Series[]; latency: Series[]; lag: Series[] }): string {
  const width = 1000;
  const panelHeight = 220;
  const left = 70;
  const right = 250;
  const plotWidth = width - left - right;
  const all = [...input.throughput, ...input.latency, ...input.lag].flatMap((s) => s[2].map((p) => p[0]));
  const tMax = Math.max(1, ...all);
  const x = (t: number) => left + (t / tMax) * plotWidth;
  const parts: string[] = [];
  const panel = (index: number, name: string, unit: string, series: Series[]) => {
    const top = 40 + index * (panelHeight + 40);
    const values = series.flatMap((s) => s[2].map((p) => p[1])).filter((v): v is number => v !== null && Number.isFinite(v));
    const yMax = niceCeil(Math.max(1, ...values));
    const y = (v: number) => top + panelHeight - (v / yMax) * panelHeight;
    parts.push(`<text x="${left}" y="${top - 8}" font-weight="bold">${esc(name)}</text>`);
    for (const [from, to, label] of input.phases) {
      parts.push(`<rect x="${x(from).toFixed(1)}" y="${top}" width="${(x(to) - x(from)).toFixed(1)}" height="${panelHeight}" fill="#f2f2f2"/>`);
      if (index === 0) parts.push(`<text x="${x(from) + 4}" y="${top + 14}" font-size="11" fill="#555">${esc(label)}</text>`);
    }
    for (let k = 0; k <= 4; k += 1) {
      const v = (yMax * k) / 4;
      parts.push(`<line x1="${left}" x2="${left + plotWidth}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/><text x="${left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${formatNumber(v)}${unit}</text>`);
    }
    for (let t = 0; t <= tMax; t += niceStep(tMax)) parts.push(`<text x="${x(t)}" y="${top + panelHeight + 14}" font-size="11" text-anchor="middle">${t}s</text>`);
    parts.push(`<rect x="${left}" y="${top}" width="${plotWidth}" height="${panelHeight}" fill="none" stroke="#999"/>`);
    series.forEach(([label, colour, points], i) => {
      const d = points.filter((p) => p[1] !== null && Number.isFinite(p[1])).map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1] as number).toFixed(1)}`).join('');
      if (d) parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
      parts.push(`<rect x="${left + plotWidth + 12}" y="${top + 10 + i * 18}" width="12" height="3" fill="${colour}"/><text x="${left + plotWidth + 30}" y="${top + 15 + i * 18}" font-size="11">${esc(label)}</text>`);
    });
  };
  panel(0, 'Throughput (per second)', '', input.throughput);
  panel(1, 'Latency: share webhook sent → Send API call at the simulator, by second of share', ' ms', input.latency);
  panel(2, 'Consumer lag per stage (messages)', '', input.lag);
  const height = 40 + 3 * (panelHeight + 40);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/><text x="${left}" y="20" font-size="13">${esc(input.title)}</text>${parts.join('')}</svg>\n`;
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((c) => c >= v) ?? 10 * p;
}
function niceStep(tMax: number): number {
  return [5, 10, 15, 30, 60, 120, 300].find((s) => tMax / s <= 12) ?? 600;
}
function formatNumber(v: number): string {
  return v >= 1000 ? `${(v / 1000).toFixed(v % 1000 === 0 ? 0 : 1)}k` : String(Math.round(v));
}
/** Every app's /metrics on the promotion's path, for stageTimings (an overloaded app may take seconds to answer). */
async function scrapeStages(): Promise<Expositions> {
  const text = async (port: number) => {
    try {
      const r = await request(`http://127.0.0.1:${port}/metrics`, { headersTimeout: 30_000, bodyTimeout: 30_000 });
      return await r.body.text();
    } catch (error) {
      log(`metrics of :${port} not read (${(error as Error).message}): its stages stay empty`);
      return '';
    }
  };
  const [gateway, geofence, engine, delivery] = await Promise.all([1, 2, 3, 4].map((n) => text(PORT_BASE + n)));
  return { gateway, geofence, engine, delivery };
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function summary(r: {
  e2e: Record<string, unknown>; cpu: { phase1CoresUsed: Record<string, number>; phase2CoresUsed: Record<string, number>; cpuMsPerShareEvaluatedInPhase2: Record<string, number | null> };
  lagPeak: Record<string, number>; lagEndOfPhase2: Record<string, number | null>; load: Record<string, number | null>; machine: Record<string, unknown>; startedAt: Date; rssPeakMb: Record<string, number>;
}): string {
  const e = r.e2e;
  const goal = (ok: boolean) => (ok ? 'met' : '**not met**');
  const slowest = Object.entries(r.lagPeak).sort((a, b) => b[1] - a[1])[0];
  const apps = Object.keys(r.cpu.phase2CoresUsed);
  return `# make bench — ${r.startedAt.toISOString()}

Machine: ${String(r.machine.cpu)}, ${String(r.machine.cores)} cores, ${String(r.machine.memGb)} GB, Node ${String(r.machine.node)}.
Load average (1 min) during the run: ${String(r.load.atStart)} at the start, mean ${String(r.load.mean)}, peak ${String(r.load.peak)}${(r.load.mean ?? 0) > Number(r.machine.cores) ? ' — **a loaded machine: other work shared the cores**' : ''}.
Size: ${String(e.brands)} brands × ${String(e.storesPerBrand)} stores (3 active offers each), ${String(e.shoppers)} shoppers; ${String(e.eventsPerWebhook)} messaging events per webhook at most; an unmeasured warm-up of ${String(e.warmupSeconds)} s at ${String(e.atRatePerSec)} shares/s before phase 1.

| figure | value | goal |
|---|---|---|
| sustained shares/s (phase 2, open loop at ${String(e.offeredPerSec)}/s: accepted and evaluated within the phase) | ${String(e.sharesPerSec)} | ≥ 5,000: ${goal(Number(e.sharesPerSec) >= 5000)} |
| accepted by the gateway / evaluated by the geofence, per second | ${String(e.acceptedPerSec)} / ${String(e.evaluatedPerSec)} | |
| latency p50 / p95 / p99 at ${String(e.atRatePerSec)} shares/s (ms) | ${String(e.p50Ms)} / ${String(e.p95Ms)} / ${String(e.p99Ms)} | p99 ≤ 150: ${goal(Number(e.p99Ms) <= 150 && e.p99Ms !== null)} |
| latency p50 / p99 of phase 2's shares (ms) | ${String(e.phase2LatencyP50Ms)} / ${String(e.phase2LatencyP99Ms)} | |
| promotions delivered / expected | ${String(e.promotionsDelivered)} / ${String(e.expectedPromotions)} | |
| lost (accepted inside shares with no promotion) | ${String(e.lost)} | 0: ${goal(e.lost === 0)} |
| inside shares the gateway refused 4 times (503) / delivered anyway | ${String(e.insideSharesNeverAccepted)} / ${String(e.insideSharesNeverAcceptedButDelivered)} | |
| duplicates (a shopper's second promotion) / promotions to shoppers who never entered a fence | ${String(e.duplicates)} / ${String(e.unexpectedPromotions)} | 0 / 0: ${goal(e.duplicates === 0 && e.unexpectedPromotions === 0)} |
| drain after phase 2 (s) | ${String(e.drainSecondsAfterPhase2)} | |
| webhooks sent / retried / events never accepted | ${String(e.webhooks)} / ${String(e.webhookRetries)} / ${String(e.webhookFailedEvents)} | |
| harness ticks behind (in-flight cap reached) | ${String(e.harnessBehindTicks)} | |

Where the time goes — CPU cores used per process (1.00 = one core busy), and CPU per share evaluated in phase 2:

| process | phase 1 | phase 2 | CPU ms per share (phase 2) | peak RSS sampled (MB) |
|---|---|---|---|---|
| harness (load generator) | ${String(r.cpu.phase1CoresUsed.harness)} | ${String(r.cpu.phase2CoresUsed.harness)} | | |
${apps.filter((a) => a !== 'harness').map((a) => `| ${a} | ${String(r.cpu.phase1CoresUsed[a])} | ${String(r.cpu.phase2CoresUsed[a])} | ${String(r.cpu.cpuMsPerShareEvaluatedInPhase2[a] ?? '')} | ${String(r.rssPeakMb[a] ?? '')} |`).join('\n')}

${busyLine(r.cpu, Number(r.machine.cores))}

Consumer lag per stage (messages):

| stage | peak | at the end of phase 2 |
|---|---|---|
${Object.keys(r.lagPeak).map((k) => `| ${k} | ${String(r.lagPeak[k])} | ${String(r.lagEndOfPhase2[k])} |`).join('\n')}

Slowest stage (highest lag): ${slowest ? `${slowest[0]} (${String(slowest[1])} messages at the peak)` : 'n/a'}.

Where a share's latency goes at ${String(e.atRatePerSec)} shares/s (phase 1 and the 5 s after it, from the apps' own histograms: quantiles interpolated within buckets, so as coarse as the buckets; a chunk's time is shared by every event in it):

| stage | observations | p50 (ms) | p95 (ms) | p99 (ms) |
|---|---|---|---|---|
${(e.stagesAtRate as StageTiming[]).map((t) => `| ${t.stage} | ${String(t.count)} | ${String(t.p50Ms ?? '')} | ${String(t.p95Ms ?? '')} | ${String(t.p99Ms ?? '')} |`).join('\n')}

![throughput, latency and lag over time](latest.svg)
`;
}

/** How busy the machine's cores were in each phase: how close to saturation the latency was measured. */
function busyLine(cpu: { phase1CoresUsed: Record<string, number>; phase2CoresUsed: Record<string, number> }, cores: number): string {
  const share = (used: number | undefined) => (used === undefined || Number.isNaN(used) ? 'n/a' : `${Math.round((used / cores) * 100)} %`);
  return `The ${String(cores)} cores were ${share(cpu.phase1CoresUsed[INFRA.machine])} busy in phase 1 and ${share(cpu.phase2CoresUsed[INFRA.machine])} in phase 2 (every process, the OS included; the hypervisor took another ${share(cpu.phase1CoresUsed[INFRA.steal])} and ${share(cpu.phase2CoresUsed[INFRA.steal])}).`;
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
