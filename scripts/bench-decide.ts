/**
 * `make bench-decide`: decisions per second of one promotion engine process — the engine's own
 * Kafka path minus Kafka: raw geofence.transition.v1 messages (JSON bytes, spread over the topic's
 * partitions by shopper) handed in chunks to TransitionsBatchConsumer.handleChunk, which validates
 * them and runs DecidePromotion.executeBatch over the real Redis (catalog projection, shopper state,
 * interest profiles, the caps Lua script, the decision log), then builds and validates the send
 * requests and hands them to the real EventPublisher, whose Kafka client only counts them.
 * 20 active offers per store and realistic shopper state. A benchmark prints figures; it asserts
 * nothing.
 * Usage: node dist/scripts/bench-decide.js   (BENCH_REDIS_URL, BENCH_DECISIONS, BENCH_PARTITIONS_CONCURRENTLY,
 * BENCH_CPU_PROFILE: a file to write a CPU profile of the measured part to, for Chrome DevTools;
 * BENCH_ALLOC_PROFILE: the same for a sampling allocation profile, .heapprofile)
 */
import { EventOf, OfferSnapshot, StoreSnapshot, TOPIC_SPECS, Topics } from '@app/contracts';
import { EventPublisher } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Logger } from '@nestjs/common';
import type { ClientKafka } from '@nestjs/microservices';
import Redis from 'ioredis';
import type { ProducerBatch } from 'kafkajs';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { CatalogRepository } from '../apps/promotion-engine/src/catalog/catalog.repository';
import { CapsRepository } from '../apps/promotion-engine/src/decisions/caps.repository';
import { DecidePromotion } from '../apps/promotion-engine/src/decisions/decide-promotion.usecase';
import { DecisionLogRepository } from '../apps/promotion-engine/src/decisions/decision-log.repository';
import { TransitionMessage, TransitionsBatchConsumer } from '../apps/promotion-engine/src/decisions/transitions-batch.consumer';
import { EnginePolicy } from '../apps/promotion-engine/src/engine-policy';
import { InterestProfileRepository } from '../apps/promotion-engine/src/interests/interest-profile.repository';
import { ShopperStateRepository } from '../apps/promotion-engine/src/shoppers/shopper-state.repository';
import { gcPauses, redisCpuSeconds } from './bench-cpu';

const BRANDS = 5;
const STORES_PER_BRAND = 10;
const OFFERS_PER_STORE = 20;
/** Shoppers with state in Redis (BENCH_SHOPPERS): the decisions cycle through them. */
const SHOPPERS = Number(process.env.BENCH_SHOPPERS ?? 20_000);
const INTERESTS = ['coffee', 'bakery', 'sneakers', 'beauty', 'books'];
/** The engine's consumer hands over chunks of up to 500 messages of one partition (BENCH_CHUNK to try others). */
const CHUNK = Number(process.env.BENCH_CHUNK ?? 500);
const PARTITIONS = TOPIC_SPECS.find((t) => t.name === Topics.GeofenceTransition)?.partitions ?? 6;

/** One partition's messages, encoded: values (and keys) back to back, `ends[i]` the end of message i's. */
interface EncodedPartition {
  values: Buffer;
  ends: Int32Array;
  keys: Buffer;
  keyEnds: Int32Array;
}

async function main(): Promise<void> {
  // Outside the app Nest's logger prints to the console; the per-decision log line is not measured.
  Logger.overrideLogger(['error', 'warn']);
  const url = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const decisions = Number(process.env.BENCH_DECISIONS ?? 100_000);
  // As the engine's TRANSITION_PARTITIONS_CONCURRENTLY (default 3).
  const concurrency = Number(process.env.BENCH_PARTITIONS_CONCURRENTLY ?? 3);
  const redis = new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
  const run = randomBytes(4).toString('hex');
  const now = Date.now();

  const catalog = new CatalogRepository(redis);
  const shoppers = new ShopperStateRepository(redis);
  const interests = new InterestProfileRepository(redis);
  const caps = new CapsRepository(redis);
  const log = new DecisionLogRepository(redis);
  // The real publisher (contract validation, keys, JSON, trace headers); its Kafka client counts.
  let published = 0;
  const producer = { sendBatch: async (b: ProducerBatch) => void (published += (b.topicMessages ?? []).reduce((n, t) => n + t.messages.length, 0)) };
  const publisher = new EventPublisher({ producer } as unknown as ClientKafka);
  const policy: EnginePolicy = {
    windowHours: 24,
    sendRequestTtlSeconds: 600,
    defaultLocale: 'fr',
    // No quiet hours, so the bench measures full decisions whatever the hour it runs at.
    defaultQuietHours: null,
    interestDecay: { halfLifeMs: 7 * 86_400_000, floor: 0.01 },
    interestTtlSeconds: 3600,
    interestThreshold: 0.5,
  };
  const metrics = new Metrics('bench');
  const decide = new DecidePromotion(catalog, shoppers, caps, log, publisher, policy, metrics);
  // Its kafkajs consumer is built but never connected: the bench hands it the chunks itself.
  const consumer = new TransitionsBatchConsumer(decide, publisher, { brokers: ['127.0.0.1:1'], groupPrefix: 'bench-' }, concurrency, new HealthRegistry(), metrics);

  // The catalog: BRANDS brands × STORES_PER_BRAND stores, 20 offers per store (half brand-wide).
  const stores: StoreSnapshot[] = [];
  for (let b = 0; b < BRANDS; b += 1) {
    const brandId = `bench-${run}-b${b}`;
    await catalog.upsertBrandSettings({ brandId, version: 1, quietHours: null, updatedAt: new Date(now).toISOString() });
    for (let s = 0; s < STORES_PER_BRAND; s += 1) {
      const store: StoreSnapshot = {
        storeId: `${brandId}-s${s}`, brandId, version: 1, name: `Store ${s}`, externalId: null,
        location: { lat: 48.86, lng: 2.33 }, geofence: { type: 'circle', radiusM: 80 },
        timezone: s % 2 ? 'Europe/Paris' : 'America/New_York', openingHours: 'Mo-Su 00:00-24:00', tags: [], updatedAt: new Date(now).toISOString(),
      };
      stores.push(store);
      await catalog.applyStores([{ type: 'store.upserted', data: store } as EventOf<typeof Topics.StoreCatalog>]);
    }
    const offers: OfferSnapshot[] = [];
    for (let o = 0; o < (STORES_PER_BRAND * OFFERS_PER_STORE) / 2; o += 1) {
      offers.push({
        offerId: `${brandId}-o${o}`, brandId, version: 1, name: `Offer ${o}`,
        // Half brand-wide (every store sees them), half for one store: 20 per store in the end.
        storeIds: o < 10 ? [] : [`${brandId}-s${o % STORES_PER_BRAND}`],
        message: { title: `Offer ${o}` }, locales: { en: { title: `Offer ${o} (en)` } },
        startsAt: new Date(now - 86_400_000).toISOString(), endsAt: new Date(now + 86_400_000).toISOString(),
        trigger: o % 5 === 4 ? 'dwell' : 'enter', dwellSeconds: o % 5 === 4 ? 120 : null,
        caps: { perShopperPerDay: 1, perShopperTotal: 3, maxSends: 1_000_000 }, cooldownMinutes: o % 3 === 0 ? 60 : null,
        priority: o % 4, audience: o % 3 === 0 ? { interests: [INTERESTS[o % INTERESTS.length]] } : o % 7 === 0 ? { locales: ['fr', 'en'] } : null,
        status: o % 10 === 9 ? 'paused' : 'active', updatedAt: new Date(now).toISOString(),
        ...(o % 4 === 0 ? { variants: [{ id: 'A', weight: 1, message: { title: 'A' } }, { id: 'B', weight: 1, message: { title: 'B' } }], controlShare: 0.1 } : {}),
      });
    }
    for (const offer of offers) await catalog.upsertOffer(offer);
  }

  // Shoppers: recent messages, a locale, a few interests, 5 % opted out. A thousand at a time:
  // every write in flight holds its command (EVAL sends the script's text each time).
  for (let i = 0; i < SHOPPERS; i += 1) {
    if (i % 1000 === 0) await redis.ping();
    const brand = i % BRANDS;
    const shopperId = `bench${run}b${brand}:s${i}`;
    void shoppers.record({
      shopperId, pageId: `bench${run}b${brand}`, psid: `s${i}`, brandId: `bench-${run}-b${brand}`, kind: 'text', opensWindow: true,
      text: null, payload: null, command: i % 20 === 0 ? 'stop' : null, messageId: null, watermark: null,
      at: new Date(now - (i % 600) * 60_000).toISOString(), receivedAt: new Date(now).toISOString(), locale: i % 3 ? 'fr_FR' : 'en_GB', timezone: null,
    });
    if (i % 2 === 0) void interests.save(`bench-${run}-b${brand}`, shopperId, { [INTERESTS[i % 5]]: { score: 1.5, atMs: now }, [INTERESTS[(i + 1) % 5]]: { score: 0.4, atMs: now } }, 3600);
  }
  await redis.ping();

  const transition = (n: number): EventOf<typeof Topics.GeofenceTransition> => {
    const i = n % SHOPPERS;
    const brand = i % BRANDS;
    const store = stores[brand * STORES_PER_BRAND + (n % STORES_PER_BRAND)];
    return {
      id: `t${n}`, type: 'geofence.transitioned', occurredAt: new Date(now).toISOString(),
      data: {
        shopperId: `bench${run}b${brand}:s${i}`, pageId: `bench${run}b${brand}`, psid: `s${i}`, brandId: store.brandId, storeId: store.storeId,
        transition: n % 4 === 3 ? 'dwell' : 'enter', dwellSeconds: n % 4 === 3 ? 300 : undefined,
        visitId: `bench-${run}-v${n}`, distanceM: 15, locationEventId: `bench-${run}-e${n}`, locationSource: 'web', sharedAt: new Date(now).toISOString(),
      },
    };
  };
  // The topic's messages as Kafka hands them over: JSON bytes, each shopper on one partition.
  // Encoded before the measured part, compactly (one buffer of values per partition): the
  // message objects of a chunk are made when it is handed over, as kafkajs makes them when it
  // decodes a fetch, so the bench runs with the engine's own heap limit.
  const shopperPartition = new Map<string, number>();
  const partitionOf = (shopperId: string): number => {
    let p = shopperPartition.get(shopperId);
    if (p === undefined) {
      p = createHash('md5').update(shopperId).digest().readUInt32BE(0) % PARTITIONS;
      shopperPartition.set(shopperId, p);
    }
    return p;
  };
  const partitionsOf = (from: number, to: number): EncodedPartition[] => {
    const values: Buffer[][] = Array.from({ length: PARTITIONS }, () => []);
    const keys: Buffer[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let n = from; n < to; n += 1) {
      const event = transition(n);
      const p = partitionOf(event.data.shopperId);
      values[p].push(Buffer.from(JSON.stringify(event)));
      keys[p].push(Buffer.from(event.data.shopperId));
    }
    const endsOf = (list: Buffer[]): Int32Array => {
      const ends = new Int32Array(list.length);
      let end = 0;
      list.forEach((v, i) => (ends[i] = end += v.length));
      return ends;
    };
    return values.map((list, p) => ({ values: Buffer.concat(list), ends: endsOf(list), keys: Buffer.concat(keys[p]), keyEnds: endsOf(keys[p]) }));
  };
  const chunkOf = (partition: EncodedPartition, from: number, to: number): TransitionMessage[] => {
    const chunk: TransitionMessage[] = new Array(to - from);
    for (let i = from; i < to; i += 1) {
      const start = i === 0 ? 0 : partition.ends[i - 1];
      const keyStart = i === 0 ? 0 : partition.keyEnds[i - 1];
      chunk[i - from] = { key: partition.keys.subarray(keyStart, partition.keyEnds[i]), value: partition.values.subarray(start, partition.ends[i]), offset: String(i), headers: {} };
    }
    return chunk;
  };
  // `concurrency` partitions at a time, each one's chunks in order, as kafkajs's eachBatch runs them.
  const consume = async (partitions: EncodedPartition[]): Promise<void> => {
    let nextPartition = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let p = nextPartition++; p < partitions.length; p = nextPartition++) {
          const count = partitions[p].ends.length;
          for (let i = 0; i < count; i += CHUNK) await consumer.handleChunk(p, chunkOf(partitions[p], i, Math.min(i + CHUNK, count)));
        }
      }),
    );
  };

  // Warm-up (JIT, script load, caches), then the measured run.
  await consume(partitionsOf(decisions, decisions + 5000));
  const outcomesBefore = await outcomeCounts(metrics);
  const publishedBefore = published;
  const measured = partitionsOf(0, decisions);
  const cpuBefore = process.cpuUsage();
  const redisCpuBefore = await redisCpuSeconds(redis);
  const commandsBefore = await redisCommands(redis);
  const profile = process.env.BENCH_CPU_PROFILE ? await startProfile() : null;
  const allocations = process.env.BENCH_ALLOC_PROFILE ? await startAllocationProfile() : null;
  const gc = gcPauses();
  const started = process.hrtime.bigint();
  await consume(measured);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const paused = gc.stop();
  if (profile) await profile.stopTo(process.env.BENCH_CPU_PROFILE as string);
  if (allocations) await allocations.stopTo(process.env.BENCH_ALLOC_PROFILE as string);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const redisCpu = (await redisCpuSeconds(redis)) - redisCpuBefore;
  const commands = (await redisCommands(redis)) - commandsBefore;
  const outcomes = await outcomeCounts(metrics);
  for (const [k, v] of Object.entries(outcomesBefore)) outcomes[k] -= v;

  console.log(`bench-decide: ${decisions} decisions in ${seconds.toFixed(2)} s → ${Math.round(decisions / seconds)} decisions/s (one process, ${concurrency} partitions at once, chunks of ${CHUNK})`);
  console.log(`  ${BRANDS} brands × ${STORES_PER_BRAND} stores, ${OFFERS_PER_STORE} offers per store, ${SHOPPERS} shoppers; send requests handed to Kafka: ${published - publishedBefore}`);
  // The machine may be shared: CPU time spent is a steadier figure than wall-clock time.
  console.log(`  engine CPU: ${((cpuSeconds / decisions) * 1e6).toFixed(0)} µs per decision → ${Math.round(decisions / cpuSeconds)} decisions/s per core it fully uses`);
  console.log(`  Redis server CPU (all its clients, not only this bench): ${((redisCpu / decisions) * 1e6).toFixed(0)} µs per decision; ${(commands / decisions).toFixed(2)} commands run per decision (server-wide, inside scripts included)`);
  console.log(`  both together: ${(((cpuSeconds + redisCpu) / decisions) * 1e6).toFixed(0)} µs per decision → at most ${Math.round((2 * decisions) / (cpuSeconds + redisCpu))} decisions/s on 2 idle cores`);
  console.log(`  garbage collection: ${((paused.ms * 1000) / decisions).toFixed(0)} µs of pauses per decision (${paused.minor} scavenges, ${paused.major} mark-compacts), heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB after the run; node ${process.execArgv.join(' ') || 'without flags'}`);
  console.log(`  outcomes: ${Object.entries(outcomes).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  // Leave nothing behind.
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `*bench*${run}*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

/** A CPU profile of the measured part only (node --cpu-prof would include the setup). */
async function startProfile(): Promise<{ stopTo: (file: string) => Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stopTo: async (file) => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** A sampling allocation profile of the measured part (Chrome DevTools' "allocation sampling"). */
async function startAllocationProfile(): Promise<{ stopTo: (file: string) => Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return {
    stopTo: async (file) => {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

async function outcomeCounts(metrics: Metrics): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'promotion_decisions_total');
  for (const v of (metric as { values?: { value: number; labels: Record<string, string> }[] } | undefined)?.values ?? []) {
    const key = v.labels.outcome === 'skip' ? `skip:${v.labels.reason}` : v.labels.outcome;
    counts[key] = (counts[key] ?? 0) + v.value;
  }
  return counts;
}

/** Commands the Redis server ran (every client), from INFO commandstats. */
async function redisCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/cmdstat_[^:]+:calls=(\d+)/g)) total += Number(m[1]);
  return total;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
