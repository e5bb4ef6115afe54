import { RETRY_SCHEDULES, TOPIC_SPECS, Topic, Topics, deadLetterTopic, parseEvent, retryTopic } from '@app/contracts';
import { KafkaProbe, StackClient, http, northOf, stackUrls, waitFor, waitForProjections } from '@app/testing';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { E2E } from '../setup/e2e-stack';
import { TestPage, newBrandWithPage } from '../support/pages';

/**
 * Fuzzing every Kafka consumer of the running stack (issue 7): on every partition of every topic
 * a consumer reads, garbage — random bytes, JSON cut short, a valid envelope around wrong data,
 * fields of the wrong type, nulls, huge values, unknown event types, tombstones, a message at the
 * broker's size limit — mutated from real events the stack produced. Then: every consumer group
 * commits past the garbage on every partition (nothing blocked), every invalid message is in the
 * topic's `.dlq` once per consuming group, the apps are healthy, and a second shopper still gets
 * a promotion end to end. FUZZ_RUNS (default 40) sets the garbage messages per topic, spread over
 * its partitions.
 *
 * The topics are shared by every stack on the broker; compacted topics get fixed keys, so their
 * garbage is compacted away run after run instead of piling up.
 */
jest.setTimeout(600_000);

const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const urls = stackUrls(E2E.portBase);
const client = new StackClient(urls, E2E.adminToken);
const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');
const prefix = E2E.groupPrefix;
/** The broker's default message.max.bytes (1 MiB + 12): a message this close to it cannot grow. */
const MAX_MESSAGE_BYTES = 1_048_588;

/** Every consumed topic and the consumer groups (without the stack's prefix) that read it. */
const CONSUMED: [topic: string, source: Topic, groups: string[]][] = [
  [Topics.StoreCatalog, Topics.StoreCatalog, ['geofence-catalog', 'promotion-engine-stores']],
  [Topics.OfferCatalog, Topics.OfferCatalog, ['geofence-offers', 'promotion-engine']],
  [Topics.ChannelCatalog, Topics.ChannelCatalog, ['messenger-gateway', 'messenger-delivery']],
  [Topics.BrandCatalog, Topics.BrandCatalog, ['promotion-engine']],
  [Topics.ShopperLocation, Topics.ShopperLocation, ['geofence-locations']],
  [Topics.ShopperInteraction, Topics.ShopperInteraction, ['promotion-engine-interactions', 'messenger-delivery-interactions', 'brand-api-receipts']],
  [Topics.GeofenceTransition, Topics.GeofenceTransition, ['promotion-engine-transitions']],
  [Topics.ShopperTags, Topics.ShopperTags, ['promotion-engine']],
  [Topics.PromotionSendRequest, Topics.PromotionSendRequest, ['messenger-delivery-sends']],
  ...RETRY_SCHEDULES.flatMap((s) => s.delaysMs.map((_, i) => [retryTopic(s.topic, i + 1), s.topic, ['messenger-delivery-retry']] as [string, Topic, string[]])),
  [Topics.DeliveryStatus, Topics.DeliveryStatus, ['promotion-engine-statuses', 'brand-api-statuses']],
  [Topics.ShopperErasure, Topics.ShopperErasure, ['geofence', 'promotion-engine']],
];

const compacted = (topic: string) => TOPIC_SPECS.some((s) => s.name === topic && s.compacted);

/** A time zone where it is now daytime, so default quiet hours (21:00–09:00) do not apply. */
function dayZone(): string {
  const zones = ['Europe/Paris', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Honolulu', 'Asia/Dubai'];
  return zones.find((z) => DateTime.now().setZone(z).hour >= 10 && DateTime.now().setZone(z).hour < 19) ?? 'Europe/Paris';
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function pathsOf(value: Json, prefixPath: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return prefixPath.length ? [prefixPath] : [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return [...(prefixPath.length ? [prefixPath] : []), ...entries.flatMap(([k, v]) => pathsOf(v, [...prefixPath, k]))];
}

function setAt(value: Json, path: string[], replacement: Json): Json {
  const copy = structuredClone(value) as Record<string, Json>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, Json>;
  at[path[path.length - 1]] = replacement;
  return copy;
}

/** Garbage made from one real event of the topic. */
function garbageFrom(sample: Json): fc.Arbitrary<Buffer | null> {
  const text = JSON.stringify(sample);
  const paths = pathsOf(sample);
  const huge: fc.Arbitrary<Json> = fc.constantFrom('x'.repeat(300_000), 1e308, -1e308, Number.MAX_SAFE_INTEGER * 4, '\u0000'.repeat(1000), JSON.parse(`${'['.repeat(2000)}${']'.repeat(2000)}`) as Json);
  const wrong: fc.Arbitrary<Json> = fc.oneof(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, fc.constantFrom<Json>(null, '', -1, 0, true, [], {}));
  const asBuffer = (v: Json) => Buffer.from(JSON.stringify(v));
  return fc.oneof(
    fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    fc.nat(text.length - 2).map((n) => Buffer.from(text.slice(0, n + 1))),
    (fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>).map((data) => asBuffer({ ...(sample as Record<string, Json>), data })),
    fc.tuple(fc.constantFrom(...paths), wrong).map(([p, v]) => asBuffer(setAt(sample, p, v))),
    fc.constantFrom(...paths).map((p) => asBuffer(setAt(sample, p, null))),
    fc.tuple(fc.constantFrom(...paths), huge).map(([p, v]) => asBuffer(setAt(sample, p, v))),
    fc.string({ maxLength: 30 }).map((type) => asBuffer({ ...(sample as Record<string, Json>), type })),
    fc.constantFrom(null, Buffer.from('null'), Buffer.from(''), Buffer.from('{}'), Buffer.from('[]'), Buffer.from('"x"'), Buffer.from('\ufeff' + text)),
  );
}

interface Produced {
  topic: string;
  partition: number;
  offset: string;
  invalid: boolean;
}

describe(`Kafka consumer fuzzing (fast-check, ${RUNS} garbage messages per topic, seed ${seed})`, () => {
  const run = randomBytes(3).toString('hex');
  const kafka = new Kafka({ clientId: `${prefix}fuzz-${run}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const probe = new KafkaProbe();
  let page: TestPage;
  const fence = { lat: 48.8606, lng: 2.3376 };

  async function promotionReaches(psid: string): Promise<void> {
    expect(await client.say(page.pageId, psid, 'bonjour')).toBe(200);
    const inside = northOf(fence.lat, fence.lng, 15);
    expect(await client.shareLocation(page.pageId, psid, inside.lat, inside.lng)).toBe(200);
    await waitFor(`the promotion of ${psid}`, async () => (await client.inbox(page.pageId, psid)).length > 0, 90_000, 500);
  }

  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect()]);
  });
  afterAll(async () => {
    await Promise.all([admin.disconnect(), producer.disconnect(), probe.close()]);
  });

  it('dead-letters garbage on every partition of every consumed topic, blocks nothing, and keeps delivering', async () => {
    // 1. The real flow once, to take one real event of every topic as the seed of the garbage.
    const marks = new Map<Topic, Map<number, string>>();
    for (const [topic, source] of CONSUMED) if (topic === source) marks.set(source, await probe.mark(source));
    page = await newBrandWithPage(client, 'fuzzkafka');
    const auth = page.apiKey;
    const store = await client.createStore(auth, { name: 'Fuzz', location: fence, geofence: { type: 'circle', radiusM: 80 }, timezone: dayZone() });
    const offer = await client.createOffer(auth, { name: 'Fuzz', storeIds: [store.id], message: { title: `Fuzz ${run}` }, startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), status: 'active' });
    await waitForProjections(E2E.redisUrl, [store.id], [offer.id], 60_000);
    expect((await http('PUT', `${urls.brandApi}/v1/settings`, { quietHours: null }, auth)).status).toBe(200);
    await promotionReaches(`before${run}`);
    expect((await http('DELETE', `${urls.brandApi}/v1/shoppers/${page.pageId}:gone${run}`, undefined, auth)).status).toBeLessThan(300);
    expect((await http('PUT', `${urls.brandApi}/v1/shoppers/${page.pageId}:before${run}/tags`, { tags: ['fuzz'] }, auth)).status).toBe(200);
    const samples = new Map<Topic, Json>();
    for (const [source, mark] of marks) {
      const sample = await waitFor(`an event on ${source}`, async () => {
        const values = await probe.readSince(source, mark);
        return values.length > 0 ? (JSON.parse(values[values.length - 1].toString()) as Json) : null;
      }, 60_000, 1000);
      parseEvent(source, sample);
      samples.set(source, sample);
    }

    // 2. Garbage on every partition of every consumed topic.
    const produced: Produced[] = [];
    const dlqMarks = new Map<string, Map<number, string>>();
    for (const [, source] of CONSUMED) if (!dlqMarks.has(source)) dlqMarks.set(source, await probe.mark(deadLetterTopic(source)));
    for (const [topic, source] of CONSUMED) {
      const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0].partitions.map((p) => p.partitionId).sort((a, b) => a - b);
      const values = fc.sample(garbageFrom(samples.get(source) as Json), { numRuns: RUNS, seed: seed + produced.length });
      // And one message the broker only just accepts: its dead letter cannot add headers to it.
      values.push(Buffer.from(`{"id":"${'x'.repeat(MAX_MESSAGE_BYTES - 300)}`));
      for (const [i, value] of values.entries()) {
        const partition = partitions[i % partitions.length];
        const key = compacted(topic) ? `fuzz-garbage-${i}` : i % 7 === 0 ? null : `fuzz-${run}-${i}`;
        const [meta] = await producer.send({ topic, acks: -1, messages: [{ key, value, partition }] });
        let invalid = value !== null;
        try {
          parseEvent(source, value);
          invalid = false;
        } catch {
          // expected: this one must be dead-lettered
        }
        // A retry topic's message also needs its retry headers, which garbage never has.
        if (topic !== source && value !== null) invalid = true;
        produced.push({ topic, partition, offset: meta.baseOffset as string, invalid });
      }
    }

    // 3. Every group commits past its garbage on every partition: nothing is blocked.
    const lastOffsets = new Map<string, number>();
    for (const p of produced) lastOffsets.set(`${p.topic}/${p.partition}`, Math.max(lastOffsets.get(`${p.topic}/${p.partition}`) ?? -1, Number(p.offset)));
    for (const [topic, , groups] of CONSUMED) {
      for (const group of groups) {
        await waitFor(`${prefix}${group} to commit past the garbage on ${topic}`, async () => {
          const [committed] = await admin.fetchOffsets({ groupId: `${prefix}${group}`, topics: [topic] });
          return committed.partitions.every((c) => Number(c.offset) > (lastOffsets.get(`${topic}/${c.partition}`) ?? -1));
        }, 180_000, 1000);
      }
    }

    // 4. Every invalid message is in the topic's .dlq, once for each group that reads it.
    for (const [topic, source, groups] of CONSUMED) {
      const dlq = deadLetterTopic(source);
      const mine = produced.filter((p) => p.topic === topic && p.invalid);
      const found = new Map<string, Set<string>>();
      for (const value of await readDeadLetters(kafka, dlq, dlqMarks.get(source) as Map<number, string>)) {
        if (value.sourceTopic !== topic) continue;
        const where = `${value.sourcePartition}/${value.sourceOffset}`;
        found.set(where, new Set([...(found.get(where) ?? []), value.group]));
      }
      for (const p of mine) {
        const groupsSeen = found.get(`${p.partition}/${p.offset}`) ?? new Set();
        const missing = groups.filter((g) => !groupsSeen.has(`${prefix}${g}`));
        expect(`${topic}/${p.partition}/${p.offset} not dead-lettered by ${missing.join(', ')}`).toBe(`${topic}/${p.partition}/${p.offset} not dead-lettered by `);
      }
    }

    // 5. The apps are healthy and a new shopper still gets a promotion through every stage.
    for (const port of [0, 1, 2, 3, 4]) expect((await fetch(`http://127.0.0.1:${E2E.portBase + port}/health`)).status).toBe(200);
    await promotionReaches(`after${run}`);
  });
});

interface DeadLetter {
  sourceTopic: string;
  sourcePartition: string;
  sourceOffset: string;
  group: string;
}

/** The dead letters' source coordinates and consumer group, read from their headers. */
async function readDeadLetters(kafka: Kafka, topic: string, from: Map<number, string>): Promise<DeadLetter[]> {
  const admin = kafka.admin();
  await admin.connect();
  const end = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  await admin.disconnect();
  const letters: DeadLetter[] = [];
  if ([...end.values()].every((h) => h === 0n)) return letters;
  const consumer = kafka.consumer({ groupId: `${prefix}fuzz-dlq-reader-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Set<number>([...end].filter(([, h]) => h === 0n).map(([p]) => p));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 120_000);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const h = (name: string) => m.headers?.[name]?.toString() ?? '';
            letters.push({ sourceTopic: h('dlq-source-topic'), sourcePartition: h('dlq-source-partition'), sourceOffset: h('dlq-source-offset'), group: h('dlq-consumer-group') });
          }
          if (BigInt(batch.lastOffset()) + 1n >= (end.get(batch.partition) ?? 0n)) done.add(batch.partition);
          if (done.size >= end.size) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
    for (const [partition, offset] of from) consumer.seek({ topic, partition, offset });
  });
  await consumer.disconnect();
  return letters;
}
