/**
 * make bench-geofence: the geofence engine against Redis GEOSEARCH and PostGIS, on the same stores.
 * Not a test: it prints figures. Run by scripts/bench-geofence.sh (which installs PostGIS and
 * starts a private redis-server). Environment: STORES (100000), BENCH_REDIS_URL, BENCH_DATABASE_URL,
 * LOOKUPS (evaluations measured, 200000), SHARES_PER_SHOPPER (10), SHARE_ORDER (time; `shopper`: see asPartitions), STORE_CACHE_MB (the app's 16),
 * KAFKA_SHARES (20000, to shopper.location.v1 on the benchmark's own broker), KAFKA_BROKERS, BENCH_QUICK=1 (only (a), (c'), (c)),
 * LOCATION_PARTITIONS_CONCURRENTLY (6, as the geofence: partitions (c') and (c) evaluate at once),
 * BENCH_ONLY_KAFKA=1 runs (d) alone after loading the stores, to tune the geofence's Kafka path; it records nothing.
 * GEOFENCE_NODE_ARGS (node flags for the geofence process of (d); default the app's, scripts/app-node-options.json).
 */
import { EventOf, Geofence, StoreSnapshot, Topics, createEvent, eventKey } from '@app/contracts';
import { EventPublisher, KeyHashPartitioner, Outgoing } from '@app/kafka';
import { Metrics } from '@app/observability';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { execFileSync, spawn } from 'node:child_process';
import { createCipheriv, createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { Pool } from 'pg';
import { EvaluateLocations, GeofencePolicy } from '../apps/geofence/src/locations/evaluate-location.usecase';
import { VisitStateRepository } from '../apps/geofence/src/locations/visit-state.repository';
import { DwellThresholdRepository } from '../apps/geofence/src/dwell/dwell-threshold.repository';
import { cellOf } from '../apps/geofence/src/store-index/cells';
import { StoreIndexRepository, cellKey } from '../apps/geofence/src/store-index/store-index.repository';
import { APP_PROCESS_ENV, nodeOptionsOf } from './app-node-options';
import { brokerPid, cpuSecondsOf, gcPauses, machineCpuSeconds, redisCpuSeconds } from './bench-cpu';

const STORES = Number(process.env.STORES ?? 100_000);
const LOOKUPS = Number(process.env.LOOKUPS ?? 200_000);
const KAFKA_SHARES = Number(process.env.KAFKA_SHARES ?? 20_000);
/** Fixes per shopper in (c) (SHARES_PER_SHOPPER): LOOKUPS / this many shoppers, each with their own state in Redis. */
const SHARES_PER_SHOPPER = Math.max(1, Number(process.env.SHARES_PER_SHOPPER ?? 10));
/*
 * 20 brands per 100,000 stores: every brand has about 5,000 stores in the same spread at any
 * STORES, so a larger run holds more of the same (more keys, more memory, a larger working set)
 * and each fix meets the same density of fences. With a fixed 20 brands, 1M stores would put ten
 * times the fences (and 500 wide ones per brand) around the same 60 cities: a different workload.
 */
const BRANDS = Math.max(1, Math.round((20 * STORES) / 100_000));
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6390/0';
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/geofence_bench';
const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');
const policy: GeofencePolicy = { maxAccuracyM: 100, maxFixAgeSeconds: 300, maxSpeedKmh: 250, exitHysteresisM: 30, stateTtlSeconds: 7200 };

// ---------------------------------------------------------------------------------------------
// A realistic spread: 70 % of stores around 60 cities (denser at the centre), 30 % in the
// countryside of Europe and North America; 70 % circles (25–250 m), 25 % polygons (20–150 m
// across), 4 % multipolygons, 1 % wide fences (2–20 km circles: malls, airports, districts).
// Deterministic (seeded) so the 100k and 1M runs are comparable.
const rand = seededRandom(42);
/**
 * Uniform draws in [0, 1), reproducible from a seed: AES-128-CTR's keystream (OpenSSL, through
 * node:crypto) read 32 bits at a time. Until 2 December 2026 this was a hand-written LCG computed in
 * doubles: `seed * 1103515245` lost its low bits, and the sequence entered a cycle of 10,466 draws
 * after 5,358, so "100,000 stores" were about a thousand stores repeated (a store's centre lay in
 * 4–5 fences of its own brand) and the fixes of (c) repeated as well. Figures measured before then
 * are of that catalog (BENCHMARKS.md).
 */
function seededRandom(seed: number): () => number {
  const key = createHash('sha256').update(`bench-geofence:${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(1 << 16);
  let block = cipher.update(zeros);
  let at = 0;
  return () => {
    if (at === block.length) {
      block = cipher.update(zeros);
      at = 0;
    }
    const value = block.readUInt32LE(at);
    at += 4;
    return value / 2 ** 32;
  };
}
const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
const cities = Array.from({ length: 60 }, (_, i) =>
  i < 40 ? { lat: 36 + rand() * 22, lng: -9 + rand() * 33, sigmaKm: 3 + rand() * 8 } : { lat: 28 + rand() * 20, lng: -122 + rand() * 50, sigmaKm: 4 + rand() * 10 },
);
const M_PER_DEG = 111_195;

function around(c: { lat: number; lng: number }, metres: number): { lat: number; lng: number } {
  const a = rand() * 2 * Math.PI;
  const d = rand() * metres;
  return { lat: c.lat + (d * Math.sin(a)) / M_PER_DEG, lng: c.lng + (d * Math.cos(a)) / (M_PER_DEG * Math.cos((c.lat * Math.PI) / 180)) };
}

function ring(c: { lat: number; lng: number }, radiusM: number, sides: number): [number, number][] {
  const k = Math.cos((c.lat * Math.PI) / 180);
  const pts: [number, number][] = [];
  for (let i = 0; i < sides; i++) {
    const a = (i / sides) * 2 * Math.PI;
    const r = radiusM * (0.6 + 0.4 * rand());
    pts.push([c.lng + (r * Math.cos(a)) / (M_PER_DEG * k), c.lat + (r * Math.sin(a)) / M_PER_DEG]);
  }
  return [...pts, pts[0]];
}

function makeStore(i: number): StoreSnapshot {
  let location: { lat: number; lng: number };
  if (rand() < 0.7) {
    const city = cities[Math.floor(rand() * cities.length)];
    const km = Math.abs(gauss()) * city.sigmaKm;
    location = around(city, km * 1000);
  } else {
    location = rand() < 0.6 ? { lat: 36 + rand() * 22, lng: -9 + rand() * 33 } : { lat: 28 + rand() * 20, lng: -122 + rand() * 50 };
  }
  const kind = rand();
  let geofence: Geofence;
  if (kind < 0.7) geofence = { type: 'circle', radiusM: Math.round(25 + rand() * 225) };
  else if (kind < 0.95) geofence = { type: 'polygon', coordinates: [ring(location, 10 + rand() * 65, 4 + Math.floor(rand() * 5))] };
  else if (kind < 0.99)
    geofence = { type: 'multipolygon', coordinates: [[ring(location, 30, 5)], [ring({ lat: location.lat + 0.0006, lng: location.lng }, 20, 4)]] };
  else geofence = { type: 'circle', radiusM: Math.round(2000 + rand() * 18_000) };
  return {
    storeId: `bench-${i}`, brandId: `bench-brand-${i % BRANDS}`, version: 1, name: `Store ${i}`, externalId: null, location, geofence,
    timezone: 'Europe/Paris', openingHours: null, tags: [], updatedAt: new Date().toISOString(),
  };
}

/**
 * What shares and the searches need of a store once it is filed. The bench process must not keep
 * a million full snapshots (polygons and all) alive beside the engine's own cache, or (c) measures
 * the garbage collector marking the bench's heap rather than the engine; nor a million small
 * objects: with one `Home` object per store (and its location) the garbage collector took 52 % of
 * the bench's busy time during (c′) and (c) at 1M against 37 % at 100k (`--cpu-prof`, 2 December
 * 2026). So every store is three numbers in typed arrays, which the collector does not trace, and
 * a `Home` is made when a share needs one.
 */
interface Home {
  brandId: string;
  location: { lat: number; lng: number };
  /** The circle's radius; null for polygons. */
  circleRadiusM: number | null;
}

class Homes {
  private readonly lat: Float64Array;
  private readonly lng: Float64Array;
  /** NaN for polygons. */
  private readonly radiusM: Float64Array;

  constructor(snapshots: StoreSnapshot[]) {
    this.lat = new Float64Array(snapshots.length);
    this.lng = new Float64Array(snapshots.length);
    this.radiusM = new Float64Array(snapshots.length);
    snapshots.forEach((s, i) => {
      this.lat[i] = s.location.lat;
      this.lng[i] = s.location.lng;
      this.radiusM[i] = s.geofence.type === 'circle' ? s.geofence.radiusM : NaN;
    });
  }

  get length(): number {
    return this.lat.length;
  }

  /** Store i (makeStore's brand: i modulo BRANDS). */
  at(i: number): Home {
    const r = this.radiusM[i];
    return { brandId: `bench-brand-${i % BRANDS}`, location: { lat: this.lat[i], lng: this.lng[i] }, circleRadiusM: Number.isNaN(r) ? null : r };
  }

  random(): Home {
    return this.at(Math.floor(rand() * this.length));
  }
}

/**
 * A full collection before a measured phase (the script runs node with --expose-gc). Filing the
 * stores leaves their garbage in the old generation, which V8 does not collect while the heap is
 * far below its limit (6 GiB here): at 1,000,000 stores (c) started on a 2.3 GB heap, its first
 * scavenges took 17.6 ms on average against 10-11 ms later, and two mark-compacts of that heap ran
 * during (c): 7,783 evaluations/s against 10,357/s with this collection (--trace-gc, 4 December
 * 2026). The geofence app, whose old space is capped at 120 MB, never carries such a heap: its
 * catalog is filed by the index's consumer, not built in its own memory.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Shoppers walk around a store of their brand: 60 % of fixes land inside a fence's area. */
function makeShares(stores: Homes, count: number, nowMs: number, pageId: string, perShopper: number): EventOf<typeof Topics.ShopperLocation>[] {
  const out: EventOf<typeof Topics.ShopperLocation>[] = [];
  const shoppers = Math.ceil(count / perShopper);
  for (let s = 0; s < shoppers; s++) {
    const home = stores.random();
    const psid = `p${s}`;
    for (let k = 0; k < perShopper && out.length < count; k++) {
      const p = around(home.location, rand() < 0.6 ? 40 : 400);
      const sharedAt = new Date(nowMs - 200_000 + k * 15_000 + (s % 1000)).toISOString(); // 400 m in 15 s: 96 km/h
      out.push(
        createEvent(Topics.ShopperLocation, 'shopper.location-shared', {
          shopperId: `${pageId}:${psid}`, pageId, psid, brandId: home.brandId, lat: p.lat, lng: p.lng, accuracyM: 5 + Math.round(rand() * 20),
          source: 'api', sharedAt, receivedAt: sharedAt, messageId: null,
        }),
      );
    }
  }
  return out;
}

const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const log = (msg: string) => console.log(`[bench] ${msg}`);

class DiscardingPublisher extends EventPublisher {
  published = 0;
  constructor() {
    super(null as never);
  }
  override async publishAll(items: Outgoing[]): Promise<void> {
    this.published += items.length;
  }
}

async function loadRedis(redis: Redis, index: StoreIndexRepository, stores: StoreSnapshot[]): Promise<void> {
  const t0 = Date.now();
  for (let i = 0; i < stores.length; i += 2000) await Promise.all(stores.slice(i, i + 2000).map((s) => index.upsert(s)));
  await index.markBuilt(new Date());
  const info = await redis.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  log(`Redis: ${fmt(stores.length)} stores filed in ${((Date.now() - t0) / 1000).toFixed(1)} s, used_memory ${(used / 2 ** 20).toFixed(0)} MiB, ${fmt(await redis.dbsize())} keys`);
}

async function biggestSet(redis: Redis, stores: Homes): Promise<{ key: string; size: number; store: Home }> {
  const counts = new Map<string, { n: number; index: number }>();
  for (let i = 0; i < stores.length; i++) {
    const s = stores.at(i);
    const key = cellKey(s.brandId, cellOf(s.location.lat, s.location.lng));
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { n: 1, index: i });
  }
  const [key, top] = [...counts.entries()].sort((a, b) => b[1].n - a[1].n)[0];
  return { key, size: await redis.zcard(key), store: stores.at(top.index) };
}

function redisBenchmark(redisPort: number, key: string, lng: number, lat: number): number {
  const out = execFileSync(
    'redis-benchmark',
    ['-p', String(redisPort), '-n', '200000', '-c', '50', '-q', 'GEOSEARCH', key, 'FROMLONLAT', String(lng), String(lat), 'BYRADIUS', '300', 'm'],
    { encoding: 'utf8' },
  );
  const m = /([\d.]+) requests per second/.exec(out);
  return m ? Number(m[1]) : 0;
}

async function loadPostgis(pool: Pool, stores: StoreSnapshot[]): Promise<void> {
  const t0 = Date.now();
  await pool.query('CREATE EXTENSION IF NOT EXISTS postgis');
  await pool.query('DROP TABLE IF EXISTS bench_stores');
  await pool.query('CREATE TABLE bench_stores (id text PRIMARY KEY, brand_id text NOT NULL, area geography NOT NULL)');
  for (let i = 0; i < stores.length; i += 1000) {
    const chunk = stores.slice(i, i + 1000);
    const values: string[] = [];
    const params: unknown[] = [];
    for (const s of chunk) {
      const n = params.length;
      if (s.geofence.type === 'circle') {
        values.push(`($${n + 1}, $${n + 2}, ST_Buffer(ST_SetSRID(ST_MakePoint($${n + 3}, $${n + 4}), 4326)::geography, $${n + 5}))`);
        params.push(s.storeId, s.brandId, s.location.lng, s.location.lat, s.geofence.radiusM);
      } else {
        const geom = { type: s.geofence.type === 'polygon' ? 'Polygon' : 'MultiPolygon', coordinates: s.geofence.coordinates };
        values.push(`($${n + 1}, $${n + 2}, ST_SetSRID(ST_GeomFromGeoJSON($${n + 3}), 4326)::geography)`);
        params.push(s.storeId, s.brandId, JSON.stringify(geom));
      }
    }
    await pool.query(`INSERT INTO bench_stores (id, brand_id, area) VALUES ${values.join(',')}`, params);
  }
  await pool.query('CREATE INDEX bench_stores_area ON bench_stores USING gist (area)');
  await pool.query('ANALYZE bench_stores');
  log(`PostGIS: ${fmt(stores.length)} stores loaded and indexed (GiST on geography) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** The same question the engine answers: the brand's fences within the slack of the point, and whether it is inside. */
async function benchPostgis(pool: Pool, shares: EventOf<typeof Topics.ShopperLocation>[], durationMs: number): Promise<number> {
  const sql =
    'SELECT id, ST_Covers(area, p) AS inside FROM bench_stores, (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS p) q ' +
    'WHERE brand_id = $3 AND ST_DWithin(area, p, $4)';
  let done = 0;
  const until = Date.now() + durationMs;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 32 }, async (_, w) => {
      for (let i = w; Date.now() < until; i += 32) {
        const s = shares[i % shares.length].data;
        await pool.query(sql, [s.lng, s.lat, s.brandId, 30 + (s.accuracyM ?? 0)]);
        done++;
      }
    }),
  );
  return done / ((Date.now() - t0) / 1000);
}

/**
 * How (c)'s shares reach the use case (SHARE_ORDER): as the geofence's consumer meets them, by
 * default. Kafka puts each shopper on one partition by its key (6 partitions); a partition holds
 * its shoppers' shares in the order they were shared, so a chunk of 500 holds many shoppers and
 * few shares of each. Each partition is read one chunk after the other, the 6 at once.
 * `SHARE_ORDER=shopper` keeps the order of (c) and (c') until the afternoon of 3 December 2026: each
 * shopper's fixes one after the other, so a chunk held 50 shoppers' 10 fixes each (10 waves of 50
 * fixes), and the fences read for a shopper's first fix served the nine others from the fence cache.
 */
const SHARE_ORDER = process.env.SHARE_ORDER === 'shopper' ? 'shopper' : 'time';
const PARTITIONS = 6;
type Share = EventOf<typeof Topics.ShopperLocation>;

/**
 * The shares as the consumer meets them, split by partition. Made before a run's clock starts:
 * sorting 200,000 shares by their time (a `Date.parse` per comparison) and hashing each shopper
 * took about 2 s of the bench's CPU, which until 4 December 2026 was counted in (c) and (c′): 7.5 %
 * of (c)'s time in a `--cpu-prof` of the bench, and the same work in (c′)'s shorter run.
 */
interface Partitioned {
  partitions: Share[][];
  count: number;
  /** When the shares were made: the clock they are judged by (see benchUseCase). */
  madeAtMs: number;
}

function asPartitions(shares: Share[], madeAtMs: number): Partitioned {
  const ordered = SHARE_ORDER === 'time' ? [...shares].sort((a, b) => Date.parse(a.data.sharedAt) - Date.parse(b.data.sharedAt)) : shares;
  const partitions: Share[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const e of ordered) partitions[createHash('md5').update(e.data.shopperId).digest().readUInt32BE(0) % PARTITIONS].push(e);
  return { partitions, count: shares.length, madeAtMs };
}

/** Shares for a run, already split (makeShares then asPartitions). */
function partitionedShares(stores: Homes, count: number, pageId: string, perShopper: number): Partitioned {
  const madeAtMs = Date.now();
  return asPartitions(makeShares(stores, count, madeAtMs, pageId, perShopper), madeAtMs);
}

/** How many partitions' chunks are evaluated at once: the geofence's LOCATION_PARTITIONS_CONCURRENTLY (6). */
const AT_ONCE = Math.min(PARTITIONS, Math.max(1, Number(process.env.LOCATION_PARTITIONS_CONCURRENTLY ?? 6)));

/**
 * Runs `fn` on chunks of 500 shares (the consumer's), each partition's one after the other,
 * AT_ONCE partitions at once: partition p is read by worker p % AT_ONCE, which takes its partitions'
 * chunks in turn.
 */
async function inPartitionChunks({ partitions }: Partitioned, fn: (chunk: Share[]) => Promise<void>): Promise<void> {
  await Promise.all(
    Array.from({ length: AT_ONCE }, async (_, w) => {
      const mine = partitions.filter((_, p) => p % AT_ONCE === w);
      for (let i = 0; mine.some((partition) => i < partition.length); i += 500) {
        for (const partition of mine) if (i < partition.length) await fn(partition.slice(i, i + 500));
      }
    }),
  );
}

/**
 * (c). The use case judges each share by the clock it is given: here the time the shares were made,
 * so that none turns stale however long the run takes (they were shared 65–200 s before it, the
 * limit is 300 s). Until 4 December 2026 every share's `sharedAt` was moved forward instead, by
 * the time elapsed, a `Date.parse` and a `toISOString` per share inside the measured time.
 */
async function benchUseCase(evaluate: EvaluateLocations, shares: Partitioned): Promise<{ perSec: number; p99Ms: number; p50Ms: number }> {
  const latencies: number[] = [];
  const t0 = Date.now();
  await inPartitionChunks(shares, async (chunk) => {
    const started = performance.now();
    await evaluate.execute(chunk, shares.madeAtMs);
    const ms = performance.now() - started;
    for (let i = 0; i < chunk.length; i++) latencies.push(ms);
  });
  const perSec = shares.count / ((Date.now() - t0) / 1000);
  return { perSec, p99Ms: percentile(latencies, 99), p50Ms: percentile(latencies, 50) };
}

/**
 * The index alone, the question PostGIS answers in (b): the brand's fences within the fix's slack
 * (StoreIndexRepository.candidatesMany over Redis, in chunks of 500 fixes of 6 partitions at once,
 * in the same order as (c), see asPartitions) and which of them hold it (the prepared fences' exact test).
 * No shopper state, no quality checks, no visit script: those are (c)'s.
 */
async function benchIndex(index: StoreIndexRepository, shares: Partitioned): Promise<{ perSec: number; inside: number; candidates: number }> {
  let inside = 0;
  let candidates = 0;
  const t0 = Date.now();
  await inPartitionChunks(shares, async (chunk) => {
    const fixes = chunk.map((e) => e.data);
    const found = await index.candidatesMany(fixes.map((s) => ({ brandId: s.brandId, lat: s.lat, lng: s.lng, slackM: policy.exitHysteresisM + (s.accuracyM ?? 0) })));
    fixes.forEach((s, i) => {
      const fix = { lat: s.lat, lng: s.lng };
      candidates += found[i].length;
      for (const c of found[i]) if (c.fence.contains(fix)) inside++;
    });
  });
  return { perSec: shares.count / ((Date.now() - t0) / 1000), inside, candidates };
}

/** One geofence process (the built app) on the private Redis, its own consumer group: shares in, transitions out. */
async function benchKafka(stores: Homes, redisUrlForApp: string, redisForCpu: Redis): Promise<number> {
  const prefix = `bench-${randomUUID().slice(0, 8)}-`;
  const port = Number(process.env.BENCH_GEOFENCE_PORT ?? 6990);
  const kafka = new Kafka({ clientId: `${prefix}bench`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // GEOFENCE_NODE_ARGS: node flags for the geofence process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`);
  // by default the app's own (scripts/app-node-options.json).
  const nodeArgs = process.env.GEOFENCE_NODE_ARGS?.split(' ').filter(Boolean) ?? nodeOptionsOf('geofence');
  const app = spawn(process.execPath, [...nodeArgs, join(__dirname, '..', 'apps', 'geofence', 'src', 'main.js')], {
    env: { ...process.env, ...APP_PROCESS_ENV, PORT: String(port), REDIS_URL: redisUrlForApp, KAFKA_GROUP_PREFIX: prefix, LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if ((await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok) break;
      if (i > 240) throw new Error('the geofence did not become healthy');
      await new Promise((r) => setTimeout(r, 500));
    }
    // Wait until the new group has read what the shared topic already held.
    const group = `${prefix}geofence-locations`;
    for (let i = 0; ; i++) {
      const ends = await admin.fetchTopicOffsets(Topics.ShopperLocation);
      const committed = (await admin.fetchOffsets({ groupId: group, topics: [Topics.ShopperLocation] }))[0]?.partitions ?? [];
      const lag = ends.reduce((sum, e) => sum + Math.max(0, Number(e.high) - Number(committed.find((c) => c.partition === e.partition)?.offset ?? -1)), 0);
      if (lag === 0 || i > 120) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const pageId = `benchpage${randomUUID().slice(0, 6)}`;
    // Two shares per shopper, inside then 300 m away 100 s later: one enter and one exit each.
    const shares: { key: string; value: string }[] = [];
    const now = Date.now();
    for (let s = 0; shares.length < KAFKA_SHARES; s++) {
      const home = stores.random();
      if (home.circleRadiusM === null || home.circleRadiusM > 250) continue;
      const psid = `k${s}`;
      const base = { shopperId: `${pageId}:${psid}`, pageId, psid, brandId: home.brandId, accuracyM: 5, source: 'api' as const, messageId: null };
      for (const [lat, ago] of [[home.location.lat, 200_000], [home.location.lat + 0.0045, 100_000]] as const) {
        const sharedAt = new Date(now - ago).toISOString();
        const e = createEvent(Topics.ShopperLocation, 'shopper.location-shared', { ...base, lat, lng: home.location.lng, sharedAt, receivedAt: sharedAt });
        shares.push({ key: eventKey(Topics.ShopperLocation, e), value: JSON.stringify(e) });
      }
    }
    // Every share yields at least one transition (an enter, then an exit), some more (fences that
    // overlap in dense cities): the run ends when every share has been answered, counted by the
    // transitions' locationEventId, and a transition seen twice (same visit and kind) is a duplicate.
    const answered = new Map<string, number>();
    const kinds = new Map<string, number>();
    const seen = new Set<string>();
    let received = 0;
    let duplicates = 0;
    const consumer = kafka.consumer({ groupId: `${prefix}observer` });
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.GeofenceTransition, fromBeginning: false });
    const joined = new Promise((r) => consumer.on(consumer.events.GROUP_JOIN, r));
    let done: () => void = () => undefined;
    const all = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (m.headers?.['emitted-by']?.toString() !== `${prefix}geofence` || !m.value) continue;
          const { data } = JSON.parse(m.value.toString()) as { data: { locationEventId: string; visitId: string; transition: string } };
          received++;
          answered.set(data.locationEventId, (answered.get(data.locationEventId) ?? 0) + 1);
          kinds.set(data.transition, (kinds.get(data.transition) ?? 0) + 1);
          const id = `${data.visitId}/${data.transition}`;
          if (seen.has(id)) duplicates++;
          seen.add(id);
        }
        if (answered.size >= shares.length) done();
      },
    });
    await joined;
    const producer = kafka.producer({ createPartitioner: KeyHashPartitioner });
    await producer.connect();
    const cpuBefore = cpuSecondsOf(app.pid!);
    const others = await otherCpuSeconds(redisForCpu);
    const t0 = Date.now();
    for (let i = 0; i < shares.length; i += 5000) {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic: Topics.ShopperLocation, messages: shares.slice(i, i + 5000) }] });
    }
    log(`Kafka: ${fmt(shares.length)} shares produced in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await Promise.race([all, new Promise((r) => setTimeout(r, 300_000))]);
    const seconds = (Date.now() - t0) / 1000;
    const cpu = cpuSecondsOf(app.pid!) - cpuBefore;
    log(`Kafka: ${fmt(answered.size)} of ${fmt(shares.length)} shares answered by ${fmt(received)} transitions (${fmt(duplicates)} duplicates) after ${seconds.toFixed(1)} s; the geofence process used ${cpu.toFixed(1)} CPU-s (${((cpu * 1e6) / shares.length).toFixed(0)} µs per share, so ${fmt(shares.length / cpu)} shares per CPU-second)`);
    logWhatTheRestTook(others, await otherCpuSeconds(redisForCpu), shares.length, seconds, cpu);
    const perShare = [...answered.values()].sort((a, b) => a - b);
    log(`Kafka: transitions by kind ${[...kinds].map(([k, n]) => `${k} ${fmt(n)}`).join(', ')}; per share median ${perShare[perShare.length >> 1] ?? 0}, max ${perShare[perShare.length - 1] ?? 0} (a fix inside several of its brand's wide fences enters each)`);
    await producer.disconnect();
    await consumer.disconnect();
    return answered.size / seconds;
  } finally {
    // Wait for the process to exit: the script stops the private Redis right after the JSON line,
    // and a geofence still shutting down then printed ioredis ECONNREFUSED errors after it.
    const exited = new Promise((r) => (app.exitCode !== null || app.signalCode !== null ? r(null) : app.once('exit', r)));
    app.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
    await admin.disconnect();
  }
}

/** CPU seconds so far of what (d) runs on besides the geofence: redis-server, the broker, this process, and the whole machine. */
async function otherCpuSeconds(redis: Redis): Promise<{ redis: number; broker: number; bench: number; machine: number; steal: number }> {
  const pid = brokerPid(join(__dirname, '..', '..'));
  const own = process.cpuUsage();
  const machine = machineCpuSeconds();
  return { redis: await redisCpuSeconds(redis), broker: pid === null ? NaN : cpuSecondsOf(pid), bench: (own.user + own.system) / 1e6, machine: machine.busy, steal: machine.steal };
}

/**
 * What (d) cost the rest of the machine per share, and what issue 4's 20,000 shares/s for one
 * geofence process would leave it: the geofence shares this 2-core machine with redis-server, the
 * broker and this process (the producer of the shares and the observer of the transitions).
 */
function logWhatTheRestTook(before: Awaited<ReturnType<typeof otherCpuSeconds>>, after: Awaited<ReturnType<typeof otherCpuSeconds>>, shares: number, seconds: number, geofenceCpu: number): void {
  const us = (k: 'redis' | 'broker' | 'bench') => ((after[k] - before[k]) * 1e6) / shares;
  const rest = us('redis') + us('broker') + us('bench');
  const cores = cpus().length;
  // At 20,000/s the machine has cores × 50 µs per share; the geofence, one thread, at most 50 of them.
  const perShareAtGoal = 1e6 / 20_000;
  const left = Math.max(0, Math.min(perShareAtGoal, cores * perShareAtGoal - rest));
  log(
    `Kafka: per share, redis-server ${us('redis').toFixed(0)} µs, the broker ${us('broker').toFixed(0)} µs, this process (producer and observer) ${us('bench').toFixed(0)} µs, the geofence ${((geofenceCpu * 1e6) / shares).toFixed(0)} µs; ` +
      `the machine was busy ${((after.machine - before.machine) / seconds).toFixed(2)} of ${cores} cores (steal ${((after.steal - before.steal) / seconds).toFixed(2)}). ` +
      `At 20,000 shares/s the others alone would take ${((rest * 20_000) / 1e6).toFixed(2)} cores, leaving the geofence at most ${left.toFixed(0)} µs per share`,
  );
}

async function commandsPerEvaluation(redis: Redis, evaluations: number): Promise<string> {
  const info = await redis.info('commandstats');
  const parts: string[] = [];
  for (const m of info.matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/g)) {
    if (['info', 'config'].includes(m[1])) continue;
    parts.push(`${m[1]} ${(Number(m[2]) / evaluations).toFixed(2)} (${Number(m[4]).toFixed(1)} µs each)`);
  }
  return parts.join(', ');
}

async function main(): Promise<void> {
  const redis = new Redis(redisUrl, { enableAutoPipelining: true, maxRetriesPerRequest: null });
  await redis.flushdb();
  // The app's fence cache (STORE_CACHE_MB, 16 by default in apps/geofence/src/env.ts, about 55,000
  // circles): most fences are not cached and a search reads them from their hashes, as in production.
  const index = new StoreIndexRepository(redis, Number(process.env.STORE_CACHE_MB ?? 16) * 2 ** 20);
  const visits = new VisitStateRepository(redis);
  const publisher = new DiscardingPublisher();
  const metrics = new Metrics('bench');
  const dwell = new DwellThresholdRepository(redis);
  const evaluate = new EvaluateLocations(index, visits, dwell, publisher, policy, 'bench', metrics);
  const redisPort = Number(new URL(redisUrl).port || 6379);

  const t0 = Date.now();
  let snapshots: StoreSnapshot[] = Array.from({ length: STORES }, (_, i) => makeStore(i));
  log(`${fmt(STORES)} stores generated in ${((Date.now() - t0) / 1000).toFixed(1)} s (${BRANDS} brands, 60 cities, countryside, circles/polygons/multipolygons/wide)`);
  await loadRedis(redis, index, snapshots);
  // Every brand has one dwell offer of 300 s for all its stores, so shares still cause dwells.
  for (let b = 0; b < BRANDS; b++) await dwell.apply(`bench-offer-${b}`, `bench-brand-${b}`, 1, { dwellSeconds: 300, storeIds: [] }, false);
  const stores = new Homes(snapshots);
  if (process.env.BENCH_ONLY_KAFKA === '1') {
    // Tuning the geofence's Kafka path: (d) alone, no line recorded (the other figures are not measured).
    snapshots = [];
    log(`(d) alone (BENCH_ONLY_KAFKA): ${fmt(await benchKafka(stores, redisUrl, redis))} shares/s`);
    redis.disconnect();
    return;
  }
  const big = await biggestSet(redis, stores);
  log(`largest GEO set: ${big.key} with ${fmt(big.size)} members`);

  const pool = new Pool({ connectionString: databaseUrl, max: 8 });
  if (process.env.BENCH_QUICK !== '1') await loadPostgis(pool, snapshots);
  snapshots = [];
  collectGarbage();
  await benchUseCase(evaluate, partitionedShares(stores, 20_000, 'benchwarm', 10));

  // (a) and (b) are measured before and again after (c') and (c), and the higher of each is kept:
  // the host's speed can move by half between minutes on this machine (one run of 4 December 2026
  // measured GEOSEARCH at 10,468/s and PostGIS at 1,874/s just before (c), a third of the figures
  // of the runs around it, and printed its ratio goals as met). The higher figures make the goals
  // the harder to meet.
  const quick = process.env.BENCH_QUICK === '1'; // profiling: the use case only
  const competitors = async (when: string): Promise<{ geosearch: number; postgis: number }> => {
    const geosearch = redisBenchmark(redisPort, big.key, big.store.location.lng, big.store.location.lat);
    log(`(a) ${when}: redis-benchmark GEOSEARCH BYRADIUS 300 m on the largest set, 50 clients, no pipelining: ${fmt(geosearch)}/s`);
    const postgis = quick ? 0 : await benchPostgis(pool, makeShares(stores, 50_000, Date.now(), 'benchpg', 10), 15_000);
    log(`(b) ${when}: PostGIS ST_DWithin + ST_Covers on geography (GiST), pool of 8, 32 in flight: ${fmt(postgis)} lookups/s`);
    return { geosearch, postgis };
  };
  const before = await competitors('before (c)');

  let lookupShares: Partitioned | null = partitionedShares(stores, LOOKUPS, 'benchidx', SHARES_PER_SHOPPER);
  collectGarbage();
  const idxCpu0 = process.cpuUsage();
  const idx = await benchIndex(index, lookupShares);
  const idxCpu = process.cpuUsage(idxCpu0);
  log(`(c') the index alone (candidates over Redis + exact test, no shopper state; the question (b) asks PostGIS): ${fmt(idx.perSec)} lookups/s, node ${((idxCpu.user + idxCpu.system) / lookupShares.count).toFixed(0)} µs per lookup, ${(idx.candidates / lookupShares.count).toFixed(1)} candidates and ${(idx.inside / lookupShares.count).toFixed(2)} fences holding the fix per lookup`);
  lookupShares = null; // not kept through (c)

  const shares = partitionedShares(stores, LOOKUPS, 'benchpage', SHARES_PER_SHOPPER);
  log(`(c) ${fmt(LOOKUPS)} fixes by ${fmt(Math.ceil(LOOKUPS / SHARES_PER_SHOPPER))} shoppers, ${PARTITIONS} partitions by shopper (${AT_ONCE} at once), each in ${SHARE_ORDER === 'time' ? 'the order the fixes were shared' : 'shopper order (SHARE_ORDER=shopper)'}`);
  await redis.config('RESETSTAT');
  collectGarbage();
  const redisCpu0 = await redisCpuSeconds(redis);
  const gcTook = gcPauses();
  const cpu0 = process.cpuUsage();
  const uc = await benchUseCase(evaluate, shares);
  const cpu = process.cpuUsage(cpu0);
  const gc = gcTook.stop();
  const nodeCpuUs = (cpu.user + cpu.system) / shares.count;
  const redisCpuUs = ((await redisCpuSeconds(redis)) - redisCpu0) * 1e6 / shares.count;
  log(`(c) CPU per evaluation: node ${nodeCpuUs.toFixed(0)} µs, redis-server ${redisCpuUs.toFixed(0)} µs (machine load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
  log(`(c) of node's, the collector's pauses: scavenges ${((gc.scavengeMs * 1000) / shares.count).toFixed(0)} µs, the rest (mark-compact, incremental marking) ${(((gc.ms - gc.scavengeMs) * 1000) / shares.count).toFixed(0)} µs per evaluation; heap used after (c) ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  log(`(c) Redis calls per evaluation: ${await commandsPerEvaluation(redis, shares.count)}`);
  const outcomes = (await metrics.registry.getSingleMetric('geofence_locations_total')?.get())?.values ?? [];
  log(`(c) outcomes (warm-up included): ${outcomes.map((v) => `${String(v.labels.outcome)} ${fmt(v.value)}`).join(', ')}`);
  log(`(c) EvaluateLocations over Redis (quality, candidates, exact test, visit state; no Kafka): ${fmt(uc.perSec)}/s, batch latency p50 ${uc.p50Ms.toFixed(1)} ms, p99 ${uc.p99Ms.toFixed(1)} ms, ${fmt(publisher.published)} transitions`);

  const after = await competitors('after (c)');
  await pool.end();
  const redisGeosearchPerSec = Math.max(before.geosearch, after.geosearch);
  const postgisLookupsPerSec = Math.max(before.postgis, after.postgis);
  log(`(a) and (b), the higher of the two: ${fmt(redisGeosearchPerSec)} GEOSEARCH/s, ${fmt(postgisLookupsPerSec)} PostGIS lookups/s`);

  const kafkaSharesPerSec = quick ? 0 : await benchKafka(stores, redisUrl, redis);
  log(`(d) one geofence process, shopper.location.v1 in to geofence.transition.v1 out: ${fmt(kafkaSharesPerSec)} shares/s`);
  const rss = process.memoryUsage().rss;
  log(`bench process RSS ${(rss / 2 ** 20).toFixed(0)} MiB; total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  log(
    `goals: lookups ≥ 0.5 × GEOSEARCH ${uc.perSec >= 0.5 * redisGeosearchPerSec ? 'met' : 'NOT met'}, ≥ 3 × PostGIS ${quick ? 'not measured' : uc.perSec >= 3 * postgisLookupsPerSec ? 'met' : 'NOT met'}, Kafka ≥ 20,000/s ${quick ? 'not measured' : kafkaSharesPerSec >= 20_000 ? 'met' : 'NOT met'} ` +
      `(lookups = whole evaluations (c); the index alone (c') is ${(idx.perSec / redisGeosearchPerSec).toFixed(2)} × GEOSEARCH and ${postgisLookupsPerSec > 0 ? (idx.perSec / postgisLookupsPerSec).toFixed(1) : '–'} × PostGIS)`,
  );
  redis.disconnect();
  const line = {
      stores: STORES,
      lookupsPerSec: Math.round(uc.perSec),
      indexLookupsPerSec: Math.round(idx.perSec),
      redisGeosearchPerSec: Math.round(redisGeosearchPerSec),
      postgisLookupsPerSec: Math.round(postgisLookupsPerSec),
      p99Ms: Number(uc.p99Ms.toFixed(2)),
      kafkaSharesPerSec: Math.round(kafkaSharesPerSec),
  };
  if (!quick) recordInLatest(line);
  console.log(JSON.stringify(line));
}

/**
 * bench/results/latest.json carries the last full run's line as `geofence` (issue 7's format) and
 * every size's last line under `geofenceByStores`; make bench keeps both when it rewrites the file.
 */
function recordInLatest(line: { stores: number }): void {
  const file = join(__dirname, '..', '..', 'bench', 'results', 'latest.json');
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { geofenceByStores?: Record<string, unknown> }) : {};
  const measured = { ...line, measuredAt: new Date().toISOString() };
  const byStores = { ...previous.geofenceByStores, [String(line.stores)]: measured };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...previous, geofence: measured, geofenceByStores: byStores }, null, 2)}\n`);
}

main()
  .then(() => process.exit(0)) // kafkajs and pg keep handles open; the figures are printed
  .catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
