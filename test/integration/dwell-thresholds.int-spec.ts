import { OfferSnapshot, Topics } from '@app/contracts';
import { EventPublisher, kafkaProducerOptions } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { waitFor, within } from '@app/testing';
import { ClientKafka } from '@nestjs/microservices';
import Redis from 'ioredis';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ApplyOfferEvent } from '../../apps/geofence/src/dwell/apply-offer-event.usecase';
import { DwellThresholdRepository } from '../../apps/geofence/src/dwell/dwell-threshold.repository';
import { OfferCatalogConsumer } from '../../apps/geofence/src/dwell/offer-catalog.consumer';
import { INTEGRATION } from '../setup/integration-env';

jest.setTimeout(120_000);

/*
 * The geofence's projection of catalog.offer.v1 (dwell thresholds per store) on the real Kafka
 * broker and a private redis-server (its "built" mark must not be shared with a running stack):
 * kept current by OfferCatalogConsumer, read by another replica's repository through the brand's
 * version, tombstones applied, and rebuilt from offset 0 into an empty Redis by a group that had
 * already committed past every offer.
 */
const redisPort = Number(process.env.E2E_PORT_BASE ?? 4000) + 860;
const run = randomBytes(4).toString('hex');
const brandId = `dwell-${run}`;
const settings = { brokers: INTEGRATION.kafkaBrokers, groupPrefix: `${INTEGRATION.groupPrefix}dwell-${run}-` };

function offer(name: string, version: number, over: Partial<OfferSnapshot>): OfferSnapshot {
  return {
    offerId: `${run}-${name}`, brandId, version, name, storeIds: [], message: { title: name }, locales: {},
    startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2030-01-01T00:00:00.000Z', trigger: 'dwell', dwellSeconds: 60,
    caps: {}, cooldownMinutes: null, priority: 0, audience: null, status: 'active', updatedAt: new Date().toISOString(),
    ...over,
  };
}

describe('dwell thresholds projection (real Kafka and Redis)', () => {
  const client = new ClientKafka(kafkaProducerOptions(settings, `it-dwell-${run}`));
  const publisher = new EventPublisher(client);
  let redisServer: ChildProcess;
  let redis: Redis;
  let consumer: OfferCatalogConsumer | null = null;

  const startConsumer = async (): Promise<void> => {
    const repo = new DwellThresholdRepository(redis);
    consumer = new OfferCatalogConsumer(repo, new ApplyOfferEvent(repo), settings, new HealthRegistry(), new Metrics('test'));
    consumer.onApplicationBootstrap();
    await within('building the projection', consumer.built, 90_000);
  };
  const thresholds = async (repo: DwellThresholdRepository) => {
    const t = (await repo.forBrands([brandId])).get(brandId)!;
    return { s1: t.forStore(`${run}-s1`), s2: t.forStore(`${run}-s2`), other: t.forStore(`${run}-s9`) };
  };

  beforeAll(async () => {
    redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    redis = new Redis(`redis://127.0.0.1:${redisPort}/0`, { enableAutoPipelining: true, maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    await waitFor('private redis', async () => (await redis.ping().catch(() => null)) === 'PONG', 10_000, 100);
    await publisher.onModuleInit();
  });

  afterAll(async () => {
    await consumer?.beforeApplicationShutdown();
    await publisher.onApplicationShutdown();
    redis?.disconnect();
    redisServer?.kill('SIGTERM');
  });

  it('keeps the thresholds of active dwell offers per store, follows changes and deletions, and rebuilds from offset 0', async () => {
    await publisher.publish(Topics.OfferCatalog, 'offer.upserted', offer('sixty', 1, { dwellSeconds: 60, storeIds: [`${run}-s1`] }));
    await publisher.publish(Topics.OfferCatalog, 'offer.upserted', offer('ten-min', 1, { dwellSeconds: 600 })); // every store of the brand
    await publisher.publish(Topics.OfferCatalog, 'offer.upserted', offer('enter', 1, { trigger: 'enter', dwellSeconds: null }));
    await publisher.publish(Topics.OfferCatalog, 'offer.upserted', offer('paused', 1, { dwellSeconds: 120, status: 'paused' }));
    await publisher.publish(Topics.OfferCatalog, 'offer.upserted', offer('gone', 1, { dwellSeconds: 30, storeIds: [`${run}-s2`] }));
    await publisher.publish(Topics.OfferCatalog, 'offer.deleted', { offerId: `${run}-gone`, brandId, version: 2 }); // a tombstone

    await startConsumer();
    const replica = new DwellThresholdRepository(redis);
    await waitFor('the offers applied', async () => (await thresholds(replica)).s1.length === 2, 60_000, 100);
    expect(await thresholds(replica)).toEqual({ s1: [60, 600], s2: [600], other: [600] });
    expect(await redis.hkeys(`dwell:brand:{b:${brandId}}`)).toEqual(expect.arrayContaining([`${run}-sixty`, `${run}-ten-min`]));
    expect(await redis.hlen(`dwell:brand:{b:${brandId}}`)).toBe(2);
    expect(await redis.ttl(`dwell:offer:{o:${run}-gone}`)).toBeGreaterThan(0);

    // Changes reach a replica whose cache is warm, through the brand's version.
    await publisher.publish(Topics.OfferCatalog, 'offer.upserted', offer('ten-min', 2, { dwellSeconds: 600, status: 'paused' }));
    await publisher.publish(Topics.OfferCatalog, 'offer.upserted', offer('paused', 2, { dwellSeconds: 120, storeIds: [`${run}-s2`] }));
    await waitFor('the changes applied', async () => JSON.stringify((await thresholds(replica)).s2) === '[120]', 60_000, 100);
    expect(await thresholds(replica)).toEqual({ s1: [60], s2: [120], other: [] });

    // An older version redelivered changes nothing.
    const repo = new DwellThresholdRepository(redis);
    expect(await repo.apply(`${run}-ten-min`, brandId, 1, { dwellSeconds: 600, storeIds: [] }, false)).toBe(false);
    expect(await thresholds(replica)).toEqual({ s1: [60], s2: [120], other: [] });
    // The version applied with another state is a corrupt copy, not a redelivery: ignored.
    expect(await repo.apply(`${run}-paused`, brandId, 2, { dwellSeconds: 5, storeIds: [`${run}-s1`] }, false)).toBe(false);
    expect(await repo.apply(`${run}-paused`, brandId, 2, null, true)).toBe(false);
    expect(await thresholds(new DwellThresholdRepository(redis))).toEqual({ s1: [60], s2: [120], other: [] });
    // The same state again is a redelivery, redone.
    expect(await repo.apply(`${run}-paused`, brandId, 2, { dwellSeconds: 120, storeIds: [`${run}-s2`] }, false)).toBe(true);

    // An empty Redis: the same group (its offsets committed past every offer) rebuilds from 0.
    await consumer!.beforeApplicationShutdown();
    await redis.flushdb();
    await startConsumer();
    expect(await thresholds(new DwellThresholdRepository(redis))).toEqual({ s1: [60], s2: [120], other: [] });
    expect(await redis.get('idx:{geofence}:dwell-built')).not.toBeNull();
  });
});
