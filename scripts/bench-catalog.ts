/**
 * Benchmark (not a test): stores imported per second through POST /v1/stores/bulk until the
 * geofence's Redis index holds them all (its per-brand GEO set, apps/geofence/src/store-index).
 * Usage: `make bench-catalog` (starts its own stack), or against a running stack:
 *   BENCH_PORT_BASE=3000 ADMIN_TOKEN=… REDIS_URL=… node dist/scripts/bench-catalog.js
 * BENCH_STORES (default 20000) stores are sent BENCH_BATCH (default 10000, the maximum) at a time,
 * after a warm-up import of BENCH_WARMUP (default 5000) stores of another brand, untimed.
 */
import { http, stackUrls, waitFor } from '@app/testing';
import Redis from 'ioredis';
// Before any client: kafkajs 2.2.4's timer loop fixed, as in the apps (libs/kafka request-queue-fix.ts).
import '@app/kafka/request-queue-fix';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { cellOf } from '../apps/geofence/src/store-index/cells';
import { cellKey } from '../apps/geofence/src/store-index/store-index.repository';

const portBase = Number(process.env.BENCH_PORT_BASE ?? process.env.PORT_BASE ?? 3000);
const adminToken = process.env.ADMIN_TOKEN ?? 'dev-admin-token';
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const total = Number(process.env.BENCH_STORES ?? 20_000);
const batch = Math.min(Number(process.env.BENCH_BATCH ?? 10_000), 10_000);
const warmup = Number(process.env.BENCH_WARMUP ?? 5_000);

function store(run: string, i: number): Record<string, unknown> {
  // A grid around Paris; one store in ten has a square polygon fence, the others a circle.
  const lat = 48.7 + (i % 300) * 0.001;
  const lng = 2.2 + Math.floor(i / 300) * 0.001;
  const d = 0.0003;
  const geofence =
    i % 10 === 0
      ? { type: 'polygon', coordinates: [[[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d], [lng - d, lat + d], [lng - d, lat - d]]] }
      : { type: 'circle', radiusM: 50 + (i % 150) };
  return {
    name: `Bench store ${i}`,
    externalId: `${run}-${i}`,
    location: { lat, lng },
    geofence,
    timezone: 'Europe/Paris',
    openingHours: 'Mo-Sa 09:00-20:00; PH off',
    country: 'FR',
    tags: ['bench', i % 2 === 0 ? 'even' : 'odd'],
  };
}

/**
 * A new geofence consumer group first replays the whole compacted store topic; the clock starts
 * once it has caught up, so the figure measures the import, not the replay of older stores.
 */
async function waitForGeofenceCaughtUp(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-catalog', brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  // The geofence's store-index consumer (apps/geofence/src/store-index/store-catalog.consumer.ts).
  const groupId = `${process.env.KAFKA_GROUP_PREFIX ?? ''}geofence-catalog`;
  try {
    await waitFor('the geofence consumer to catch up with catalog.store.v1', async () => {
      const ends = await admin.fetchTopicOffsets('catalog.store.v1');
      const [committed] = await admin.fetchOffsets({ groupId, topics: ['catalog.store.v1'] });
      const at = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
      return ends.every((e) => Number(e.high) === 0 || (at.get(e.partition) ?? -1) >= Number(e.high));
    }, 900_000, 500);
  } finally {
    await admin.disconnect();
  }
}

/**
 * The brand's stores in the geofence index: the per-cell GEO sets (`geo:{b:<brand>}:c:<row>:<col>`,
 * apps/geofence/src/store-index/store-index.repository.ts) of the cells the bench's stores lie in
 * hold each local fence once (the bench's fences are all small). Read with one ZCARD per cell,
 * not a SCAN of the keyspace, so that watching costs Redis nothing next to what it measures.
 */
async function storesInIndex(redis: Redis, brandId: string, cells: string[]): Promise<number> {
  const pipeline = redis.pipeline();
  for (const cell of cells) pipeline.zcard(cellKey(brandId, cell));
  return ((await pipeline.exec()) ?? []).reduce((sum, [, n]) => sum + Number(n ?? 0), 0);
}

/** Imports `total` stores for a new brand and waits until the geofence index holds them all. */
async function importOnce(redis: Redis, label: string, total: number): Promise<{ created: number; importedMs: number; indexedMs: number }> {
  const urls = stackUrls(portBase);
  const run = randomBytes(3).toString('hex');
  const brand = await http<{ id: string; apiKey: string }>('POST', `${urls.brandApi}/v1/brands`, { name: `${label} ${run}` }, adminToken);
  if (brand.status !== 201) throw new Error(`cannot create a brand: HTTP ${brand.status} ${JSON.stringify(brand.body)}`);
  const { id: brandId, apiKey } = brand.body;
  const bodies: Record<string, unknown>[][] = [];
  for (let i = 0; i < total; i += batch) bodies.push(Array.from({ length: Math.min(batch, total - i) }, (_, k) => store(run, i + k)));
  const cells = [...new Set(bodies.flat().map((s) => cellOf((s.location as { lat: number }).lat, (s.location as { lng: number }).lng)))];

  const t0 = Date.now();
  let created = 0;
  for (const stores of bodies) {
    const r = await fetch(`${urls.brandApi}/v1/stores/bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ stores }),
      signal: AbortSignal.timeout(600_000),
    });
    const report = (await r.json()) as { created: number; rejected: unknown[] };
    if (r.status !== 200 || report.rejected.length > 0) throw new Error(`bulk import: HTTP ${r.status} ${JSON.stringify(report).slice(0, 500)}`);
    created += report.created;
  }
  const importedMs = Date.now() - t0;
  await waitFor('the geofence index to hold every store', async () => (await storesInIndex(redis, brandId, cells)) >= total, 600_000, 200);
  return { created, importedMs, indexedMs: Date.now() - t0 };
}

async function main(): Promise<void> {
  await waitForGeofenceCaughtUp();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  // The stack was usually started a few seconds ago: a first import warms the JIT of every app on
  // the path (brand-api, the relay, the geofence, the engine), as any service running for a while is.
  const warm = await importOnce(redis, 'bench warm-up', warmup);
  process.stdout.write(`bench-catalog: warm-up, ${warmup} stores of another brand in ${(warm.indexedMs / 1000).toFixed(2)} s (${Math.round((warmup / warm.indexedMs) * 1000)} stores/s, not the figure)\n`);
  const { created, importedMs, indexedMs } = await importOnce(redis, 'bench', total);
  redis.disconnect();
  const perSecond = Math.round((total / indexedMs) * 1000);
  process.stdout.write(
    `bench-catalog: ${total} stores (${created} created) in ${(indexedMs / 1000).toFixed(2)} s from the first request to the last store in the geofence index ` +
      `(HTTP import ${(importedMs / 1000).toFixed(2)} s): ${perSecond} stores/s\n`,
  );
}

main().catch((error: unknown) => {
  console.error(`bench-catalog failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
