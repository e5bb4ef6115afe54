import { Topics, createEvent, eventKey } from '@app/contracts';
import { provisionTopics } from '../../scripts/provision-topics';
import { fixKey, visitsKey } from '../../apps/geofence/src/locations/visit-state.repository';
import { waitFor } from '@app/testing';
import Redis from 'ioredis';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, Kafka, Producer, logLevel } from 'kafkajs';

/*
 * Two real geofence processes (the built app, `npm run build` first) in one consumer group, on the
 * real Kafka broker, sharing a Redis of their own (a private redis-server, so the e2e stack and
 * other checkouts on this machine cannot touch its state). Other stacks on the shared broker may
 * also react to these events; the `emitted-by` header tells this test's transitions apart.
 */
const root = join(__dirname, '..', '..');
const main = join(root, 'dist', 'apps', 'geofence', 'src', 'main.js');
// +820, not +800: with E2E_PORT_BASE 5200 that is port 6000, which fetch refuses (a "bad port", X11).
const portBase = Number(process.env.E2E_PORT_BASE ?? 4000) + 820;
const redisPort = portBase + 50;
const prefix = `${process.env.E2E_GROUP_PREFIX ?? 'e2e-'}int-${randomUUID().slice(0, 8)}-`;
const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');
const run = randomUUID().slice(0, 8);
const brandId = `brand-${run}`;
const pageId = `page${run}`;

const cafe = { lat: 48.8606, lng: 2.3376 };
const stores = Array.from({ length: 4 }, (_, i) => ({ id: `${run}-s${i}`, lat: cafe.lat + i * 0.01, lng: cafe.lng }));

let redisServer: ChildProcess;
let redis: Redis;
let kafka: Kafka;
let producer: Producer;
let consumer: Consumer;
const seen: { id: string; shopperId: string; storeId: string; transition: string; exitReason?: string }[] = [];
const geofences = new Map<number, ChildProcess>();

function startGeofence(n: number): ChildProcess {
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: String(portBase + n),
      REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
      KAFKA_GROUP_PREFIX: prefix,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      STATE_TTL_SECONDS: '20',
      VISIT_SWEEP_INTERVAL_MS: '300',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  geofences.set(n, child);
  return child;
}

async function stopGeofence(n: number): Promise<void> {
  const child = geofences.get(n);
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  geofences.delete(n);
}

/** The rebuild reads the whole shared catalog topic (other checkouts' stores too): give it time. */
const healthy = (n: number) =>
  waitFor(`geofence ${n} healthy`, async () => (await fetch(`http://127.0.0.1:${portBase + n}/health`).catch(() => null))?.ok, 300_000, 500);

async function publish(topic: (typeof Topics)[keyof typeof Topics], type: string, data: unknown, id?: string): Promise<void> {
  const event = createEvent(topic, type as never, data as never, { id });
  await producer.send({ topic, acks: -1, messages: [{ key: eventKey(topic, event), value: JSON.stringify(event) }] });
}

async function publishStore(s: (typeof stores)[number]): Promise<void> {
  await publish(Topics.StoreCatalog, 'store.upserted', {
    storeId: s.id, brandId, version: 1, name: s.id, externalId: null, location: { lat: s.lat, lng: s.lng },
    geofence: { type: 'circle', radiusM: 50 }, timezone: 'Europe/Paris', openingHours: null, tags: [], updatedAt: new Date().toISOString(),
  });
}

async function share(psid: string, at: { lat: number; lng: number }, secondsAgo: number): Promise<void> {
  const sharedAt = new Date(Date.now() - secondsAgo * 1000).toISOString();
  await publish(Topics.ShopperLocation, 'shopper.location-shared', {
    shopperId: `${pageId}:${psid}`, pageId, psid, brandId, lat: at.lat, lng: at.lng, accuracyM: 5,
    source: 'api', sharedAt, receivedAt: new Date().toISOString(), messageId: null,
  });
}

const mine = (psid: string) => seen.filter((t) => t.shopperId === `${pageId}:${psid}`);

beforeAll(async () => {
  if (!existsSync(main)) throw new Error('build the apps first (npm run build): the test runs dist/apps/geofence');
  redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  redis = new Redis(`redis://127.0.0.1:${redisPort}/0`, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  await waitFor('private redis', async () => (await redis.ping().catch(() => null)) === 'PONG', 10_000, 100);
  await provisionTopics(brokers);
  kafka = new Kafka({ clientId: `${prefix}test`, brokers, logLevel: logLevel.NOTHING });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  consumer = kafka.consumer({ groupId: `${prefix}observer` });
  await consumer.connect();
  await consumer.subscribe({ topic: Topics.GeofenceTransition, fromBeginning: false });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.headers?.['emitted-by']?.toString() !== `${prefix}geofence`) return;
      const e = JSON.parse(message.value!.toString()) as { id: string; data: { shopperId: string; storeId: string; transition: string; exitReason?: string } };
      seen.push({ id: e.id, ...e.data });
    },
  });
  await joined;
  for (const s of stores) await publishStore(s);
  // One dwell offer of 5 s for every store of the brand: the geofence emits dwell only for such offers.
  await publish(Topics.OfferCatalog, 'offer.upserted', {
    offerId: `${run}-dwell`, brandId, version: 1, name: 'Dwell 5 s', storeIds: [], message: { title: 'Stay' }, locales: {},
    startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2030-01-01T00:00:00.000Z', trigger: 'dwell', dwellSeconds: 5,
    caps: {}, cooldownMinutes: null, priority: 0, audience: null, status: 'active', updatedAt: new Date().toISOString(),
  });
  startGeofence(0);
  startGeofence(1);
  await Promise.all([healthy(0), healthy(1)]);
}, 400_000);

afterAll(async () => {
  await Promise.all([...geofences.keys()].map((n) => stopGeofence(n)));
  await consumer?.disconnect();
  await producer?.disconnect();
  redis?.disconnect();
  redisServer?.kill('SIGTERM');
}, 60_000);

describe('two geofence processes on one stream', () => {
  it('emit each enter, dwell and exit exactly once', async () => {
    const shoppers = Array.from({ length: 30 }, (_, i) => `x${run}${i}`);
    await Promise.all(
      shoppers.map(async (psid, i) => {
        const s = stores[i % stores.length];
        await share(psid, s, 15); // inside: enter
        await share(psid, { lat: s.lat + 0.0001, lng: s.lng }, 8); // inside 7 s later: dwell
        await share(psid, { lat: s.lat + 0.00135, lng: s.lng }, 3); // 150 m from the centre: exit
      }),
    );
    await waitFor('every shopper exited', async () => shoppers.every((p) => mine(p).some((t) => t.transition === 'exit')), 60_000);
    await new Promise((r) => setTimeout(r, 2000)); // time for a duplicate to show up, if there were one
    for (const [i, psid] of shoppers.entries()) {
      const storeId = stores[i % stores.length].id;
      expect(mine(psid).map((t) => `${t.transition} ${t.storeId}`)).toEqual([`enter ${storeId}`, `dwell ${storeId}`, `exit ${storeId}`]);
    }
  }, 90_000);

  it('emit a location event\'s transitions again when the event is redelivered after its visit changed', async () => {
    // A geofence killed after the visit state changed in Redis but before its transitions reached
    // Kafka: the event comes again (its offset was not committed) and must yield the same enter,
    // not "already inside, nothing new" (make chaos lost two promotions that way, 2 December).
    const psid = `r${run}`;
    const id = randomUUID();
    const data = {
      shopperId: `${pageId}:${psid}`, pageId, psid, brandId, lat: stores[0].lat, lng: stores[0].lng, accuracyM: 5,
      source: 'api', sharedAt: new Date(Date.now() - 5000).toISOString(), receivedAt: new Date().toISOString(), messageId: null,
    };
    await publish(Topics.ShopperLocation, 'shopper.location-shared', data, id);
    const first = await waitFor('the enter', async () => seen.find((t) => t.shopperId === `${pageId}:${psid}` && t.transition === 'enter'), 30_000);
    const before = mine(psid).length;
    await publish(Topics.ShopperLocation, 'shopper.location-shared', data, id);
    await waitFor('the same enter again', async () => mine(psid).length > before, 30_000);
    expect(mine(psid).slice(before)).toEqual([first]);
  }, 60_000);

  it('end a visit once when the shopper stops sharing (state TTL), however many replicas sweep', async () => {
    const psid = `ttl${run}`;
    await share(psid, stores[0], 1);
    await waitFor('the enter', async () => mine(psid).length === 1, 30_000);
    await waitFor('the timeout exit', async () => mine(psid).some((t) => t.transition === 'exit'), 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(mine(psid).map((t) => `${t.transition}${t.exitReason ? ` ${t.exitReason}` : ''}`)).toEqual(['enter', 'exit timeout']);
  }, 90_000);

  it('forget a shopper on shopper.erasure.v1', async () => {
    const psid = `er${run}`;
    const shopperId = `${pageId}:${psid}`;
    await share(psid, stores[1], 1);
    await waitFor('the enter', async () => mine(psid).length === 1, 30_000);
    expect(await redis.exists(fixKey(shopperId), visitsKey(shopperId))).toBe(2);
    await publish(Topics.ShopperErasure, 'shopper.erased', { shopperId, pageId, psid, brandId, requestedAt: new Date().toISOString() });
    await waitFor('the state gone', async () => (await redis.exists(fixKey(shopperId), visitsKey(shopperId))) === 0, 30_000);
  }, 60_000);

  it('rebuild the index from the compacted topic when restarted on an empty Redis', async () => {
    await stopGeofence(0);
    await stopGeofence(1);
    await redis.flushdb();
    const late = { id: `${run}-late`, lat: 43.2965, lng: 5.3698 };
    await publishStore(late); // lands before the restart: only the rebuild can file it
    startGeofence(0);
    await healthy(0);
    expect(await redis.exists(`store:{s:${stores[0].id}}`, `store:{s:${late.id}}`)).toBe(2);
    const psid = `rb${run}`;
    await share(psid, late, 1);
    await waitFor('the enter after the rebuild', async () => mine(psid).some((t) => t.transition === 'enter' && t.storeId === late.id), 30_000);
  }, 400_000);
});
