/**
 * `make bench-decide`: decisions per second of one promotion engine process — the real
 * DecidePromotion use case over the real Redis (catalog projection, shopper state, interest
 * profiles, the caps Lua script, the decision log), with 20 active offers per store and realistic
 * shopper state. Kafka is left out: the publisher only counts the send requests it is handed, so
 * the figure is the engine's own cost, not the broker's. A benchmark prints figures; it asserts
 * nothing.
 * Usage: node dist/scripts/bench-decide.js   (BENCH_REDIS_URL, BENCH_DECISIONS, BENCH_CONCURRENCY)
 */
import { EventOf, OfferSnapshot, StoreSnapshot, Topics } from '@app/contracts';
import type { EventPublisher } from '@app/kafka';
import { Metrics } from '@app/observability';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { CatalogRepository } from '../apps/promotion-engine/src/catalog/catalog.repository';
import { CapsRepository } from '../apps/promotion-engine/src/decisions/caps.repository';
import { DecidePromotion } from '../apps/promotion-engine/src/decisions/decide-promotion.usecase';
import { DecisionLogRepository } from '../apps/promotion-engine/src/decisions/decision-log.repository';
import { EnginePolicy } from '../apps/promotion-engine/src/engine-policy';
import { InterestProfileRepository } from '../apps/promotion-engine/src/interests/interest-profile.repository';
import { ShopperStateRepository } from '../apps/promotion-engine/src/shoppers/shopper-state.repository';

const BRANDS = 5;
const STORES_PER_BRAND = 10;
const OFFERS_PER_STORE = 20;
const SHOPPERS = 20_000;
const INTERESTS = ['coffee', 'bakery', 'sneakers', 'beauty', 'books'];

async function main(): Promise<void> {
  // Outside the app Nest's logger prints to the console; the per-decision log line is not measured.
  Logger.overrideLogger(['error', 'warn']);
  const url = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const decisions = Number(process.env.BENCH_DECISIONS ?? 100_000);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 256);
  const redis = new Redis(url, { enableAutoPipelining: true, maxRetriesPerRequest: 3 });
  const run = randomBytes(4).toString('hex');
  const now = Date.now();

  const catalog = new CatalogRepository(redis);
  const shoppers = new ShopperStateRepository(redis);
  const interests = new InterestProfileRepository(redis);
  const caps = new CapsRepository(redis);
  const log = new DecisionLogRepository(redis);
  let published = 0;
  const publisher = { publish: async () => void (published += 1) } as unknown as EventPublisher;
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
  const decide = new DecidePromotion(catalog, shoppers, interests, caps, log, publisher, policy, new Metrics('bench'));

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
      await catalog.upsertStore(store);
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

  // Shoppers: recent messages, a locale, a few interests, 5 % opted out.
  for (let i = 0; i < SHOPPERS; i += 1) {
    const brand = i % BRANDS;
    const shopperId = `bench${run}b${brand}:s${i}`;
    void shoppers.record({
      shopperId, pageId: `bench${run}b${brand}`, psid: `s${i}`, brandId: `bench-${run}-b${brand}`, kind: 'text', opensWindow: true,
      text: null, payload: null, command: i % 20 === 0 ? 'stop' : null, messageId: null, watermark: null,
      at: new Date(now - (i % 600) * 60_000).toISOString(), receivedAt: new Date(now).toISOString(), locale: i % 3 ? 'fr_FR' : 'en_GB', timezone: null,
    });
    if (i % 2 === 0) void interests.save(shopperId, { [INTERESTS[i % 5]]: { score: 1.5, atMs: now }, [INTERESTS[(i + 1) % 5]]: { score: 0.4, atMs: now } }, 3600);
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

  // Warm-up (JIT, script load, caches), then the measured run.
  for (let n = 0; n < 2000; n += concurrency) await Promise.all(Array.from({ length: concurrency }, (_, j) => decide.execute(transition(decisions + n + j))));
  const outcomes: Record<string, number> = {};
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const redisCpuBefore = await redisCpuSeconds(redis);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next++; n < decisions; n = next++) {
        const entry = await decide.execute(transition(n));
        const key = entry?.outcome === 'skip' ? `skip:${entry.reason}` : (entry?.outcome ?? 'none');
        outcomes[key] = (outcomes[key] ?? 0) + 1;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const redisCpu = (await redisCpuSeconds(redis)) - redisCpuBefore;

  console.log(`bench-decide: ${decisions} decisions in ${seconds.toFixed(2)} s → ${Math.round(decisions / seconds)} decisions/s (one process, concurrency ${concurrency})`);
  console.log(`  ${BRANDS} brands × ${STORES_PER_BRAND} stores, ${OFFERS_PER_STORE} offers per store, ${SHOPPERS} shoppers; send requests handed to the publisher: ${published}`);
  // The machine may be shared: CPU time spent is a steadier figure than wall-clock time.
  console.log(`  engine CPU: ${((cpuSeconds / decisions) * 1e6).toFixed(0)} µs per decision → ${Math.round(decisions / cpuSeconds)} decisions/s per core it fully uses`);
  console.log(`  Redis server CPU (all its clients, not only this bench): ${((redisCpu / decisions) * 1e6).toFixed(0)} µs per decision`);
  console.log(`  outcomes: ${Object.entries(outcomes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);

  // Leave nothing behind.
  let cursor = '0';
  do {
    const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `*bench*${run}*`, 'COUNT', 1000);
    cursor = nextCursor;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`${name}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
