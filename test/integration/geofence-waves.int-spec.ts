import { EventOf, StoreSnapshot, Topics, createEvent } from '@app/contracts';
import { EventPublisher, Outgoing } from '@app/kafka';
import { Metrics } from '@app/observability';
import { northOf } from '@app/testing';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { DwellThresholdRepository } from '../../apps/geofence/src/dwell/dwell-threshold.repository';
import { EvaluateLocations, GeofencePolicy } from '../../apps/geofence/src/locations/evaluate-location.usecase';
import { FixToRecord, VisitStateRepository, fixKey, visitsKey } from '../../apps/geofence/src/locations/visit-state.repository';
import { StoreIndexRepository } from '../../apps/geofence/src/store-index/store-index.repository';
import { E2E } from '../setup/e2e-stack';

/** Keeps what the use case would produce; the Kafka path itself is geofence.int-spec.ts's. */
class CollectingPublisher extends EventPublisher {
  readonly published: Outgoing[] = [];
  constructor() {
    super(null as never);
  }
  override async publishAll(items: Outgoing[]): Promise<void> {
    this.published.push(...items);
  }
}

type Transition = EventOf<typeof Topics.GeofenceTransition, 'geofence.transitioned'>;

/**
 * The geofence's batch reads and writes of visit state (one script per Page and 128 shoppers)
 * and the waves EvaluateLocations runs a chunk in, against the real Redis.
 */
describe('geofence visit state in batches (real Redis)', () => {
  const redis = new Redis(E2E.redisUrl, { enableAutoPipelining: true });
  const run = randomBytes(4).toString('hex');
  const brandId = `int-${run}`;
  const pages = [`pa${run}`, `pb${run}`, `pc${run}`];
  const visits = new VisitStateRepository(redis);
  const policy: GeofencePolicy = { maxAccuracyM: 100, maxFixAgeSeconds: 300, maxSpeedKmh: 250, exitHysteresisM: 20, stateTtlSeconds: 7200 };

  afterAll(async () => {
    const keys = await redis.keys(`*${run}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('reads and records several Pages\' shoppers in order, past one call\'s 128', async () => {
    const now = Date.now();
    // 300 shoppers over three Pages, interleaved: 100 per Page, so each Page's batch is cut once.
    const shoppers = Array.from({ length: 300 }, (_, i) => `${pages[i % 3]}:s${i}`);
    expect((await visits.readMany(shoppers)).every((s) => s.last === null && s.open.size === 0)).toBe(true);
    // Every tenth shopper has an open visit, whose expiry the write pushes back.
    for (let i = 0; i < shoppers.length; i += 10) await redis.hset(visitsKey(shoppers[i]), 'store-1', JSON.stringify({ visitId: `v${i}`, enteredAtMs: now, dwelledSeconds: 0 }));
    const fixes: FixToRecord[] = shoppers.map((shopperId, i) => ({
      shopperId,
      eventId: `e${i}`,
      fix: { lat: 45 + i * 1e-4, lng: 4.8, accuracyM: i % 2 ? 12 : null, sharedAtMs: now - i, source: 'messenger' },
      hasOpenVisits: i % 10 === 0,
      lastVisitsTtlAt: 0,
    }));
    await visits.recordMany(fixes, policy.stateTtlSeconds);

    const states = await visits.readMany(shoppers);
    states.forEach((s, i) => {
      expect(s.last).toEqual({ eventId: `e${i}`, fix: fixes[i].fix, visitsTtlAt: i % 10 === 0 ? now - i : 0 });
      expect([...s.open.keys()]).toEqual(i % 10 === 0 ? ['store-1'] : []);
    });
    expect(await redis.ttl(fixKey(shoppers[7]))).toBeGreaterThan(policy.stateTtlSeconds);
    expect(await redis.ttl(visitsKey(shoppers[10]))).toBeGreaterThan(policy.stateTtlSeconds);
    // A Page's shoppers share one hash tag (one slot on Redis Cluster); other Pages' do not.
    expect(fixKey(shoppers[0])).toBe(`fix:{p:${pages[0]}}:s0`);
    expect(visitsKey(shoppers[3])).toBe(`visits:{p:${pages[0]}}:s3`);
  });

  it('evaluates a chunk in waves: each shopper\'s fixes in order, enter then exit, and a redelivery again', async () => {
    const index = new StoreIndexRepository(redis, 2 ** 20);
    const store: StoreSnapshot = {
      storeId: `${run}-lyon`, brandId, version: 1, name: 'Lyon', externalId: null, location: { lat: 45.764, lng: 4.8357 },
      geofence: { type: 'circle', radiusM: 60 }, timezone: 'Europe/Paris', openingHours: null, tags: [], updatedAt: new Date().toISOString(),
    };
    await index.upsert(store);
    const publisher = new CollectingPublisher();
    const evaluate = new EvaluateLocations(index, visits, new DwellThresholdRepository(redis), publisher, policy, 'int', new Metrics(`int_${run}`));
    const now = Date.now();
    const inside = store.location;
    const outside = northOf(inside.lat, inside.lng, 400);
    const share = (shopperId: string, at: { lat: number; lng: number }, secondsAgo: number) =>
      createEvent(Topics.ShopperLocation, 'shopper.location-shared', {
        shopperId, pageId: shopperId.split(':')[0], psid: shopperId.split(':')[1], brandId, lat: at.lat, lng: at.lng, accuracyM: 10,
        source: 'messenger', sharedAt: new Date(now - secondsAgo * 1000).toISOString(), receivedAt: new Date(now).toISOString(), messageId: null,
      });
    // 300 shoppers on two Pages (past one visit-state call's 128 per Page): outside, inside, then
    // outside again, all in one chunk; one shopper's chunk also carries its inside fix a second
    // time (a redelivery) after the exit.
    const shoppers = Array.from({ length: 300 }, (_, i) => `${pages[i % 2]}:w${i}`);
    const chunk = shoppers.flatMap((s) => [share(s, outside, 120), share(s, inside, 90), share(s, outside, 30)]);
    const redelivered = chunk[4];
    await evaluate.execute([...chunk, redelivered], now);

    const transitions = publisher.published.map((o) => o.event as Transition);
    for (const s of shoppers) {
      const mine = transitions.filter((t) => t.data.shopperId === s).map((t) => t.data.transition);
      expect(mine).toEqual(s === redelivered.data.shopperId ? ['enter', 'exit', 'enter'] : ['enter', 'exit']);
    }
    // Each shopper's visit is its own, opened by its own inside fix.
    shoppers.forEach((s, i) => {
      const enter = transitions.find((t) => t.data.shopperId === s && t.data.transition === 'enter');
      expect(enter?.data.locationEventId).toBe(chunk[3 * i + 1].id);
    });
    expect(new Set(transitions.map((t) => t.data.visitId)).size).toBe(shoppers.length);
    // The redelivered fix's enter goes out again with the same event id, not as a new visit.
    const enters = transitions.filter((t) => t.data.shopperId === redelivered.data.shopperId && t.data.transition === 'enter');
    expect(new Set(enters.map((t) => t.id)).size).toBe(1);
    // Each shopper's last accepted fix is its last one, and no visit is left open.
    const states = await visits.readMany(shoppers);
    states.forEach((state, i) => {
      expect(state.last?.eventId).toBe(chunk[3 * i + 2].id);
      expect(state.last?.fix.sharedAtMs).toBe(now - 30_000);
      expect(state.open.size).toBe(0);
    });
  });
});
