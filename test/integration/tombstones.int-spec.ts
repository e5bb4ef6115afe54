import { EventOf, OfferSnapshot, Topics, deadLetterTopic, parseEvent } from '@app/contracts';
import { EventPublisher, KafkaErrorPassthroughFilter, KafkaEventServer, kafkaProducerOptions, kafkaServerOptions } from '@app/kafka';
import { waitFor } from '@app/testing';
import { Controller, INestMicroservice, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, EventPattern, Payload } from '@nestjs/microservices';
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { INTEGRATION } from '../setup/integration-env';

jest.setTimeout(90_000);

const handled: EventOf<typeof Topics.OfferCatalog>[] = [];

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
class OfferProbeConsumer {
  @EventPattern(Topics.OfferCatalog)
  onOffer(@Payload() value: unknown): void {
    handled.push(parseEvent(Topics.OfferCatalog, value));
  }
}

@Module({ controllers: [OfferProbeConsumer] })
class ProbeModule {}

function offer(offerId: string, brandId: string, version: number): OfferSnapshot {
  return {
    offerId, brandId, version, name: 'Tombstone probe', storeIds: [], message: { title: 'Hello' }, locales: {},
    startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2027-01-01T00:00:00.000Z', trigger: 'enter', dwellSeconds: null,
    caps: {}, cooldownMinutes: null, priority: 0, audience: null, status: 'active', updatedAt: new Date().toISOString(),
  };
}

/**
 * A deletion on a compacted catalog topic is a real tombstone (value null, what it was in
 * headers), published by EventPublisher (what the outbox relay uses), and a KafkaEventServer
 * consumer receives it as the deletion event, not as a dead letter; a tombstone without its
 * headers and a malformed value still go to the `.dlq`, and the partition moves on.
 */
describe('catalog tombstones (real Kafka)', () => {
  const run = randomBytes(4).toString('hex');
  const groupId = `${INTEGRATION.groupPrefix}tombstones-${run}`;
  const kafka = new Kafka({ clientId: `it-tombstones-${run}`, brokers: INTEGRATION.kafkaBrokers, logLevel: logLevel.NOTHING });
  const settings = { brokers: INTEGRATION.kafkaBrokers, groupPrefix: INTEGRATION.groupPrefix };
  const rawProducer = kafka.producer();
  const client = new ClientKafka(kafkaProducerOptions(settings, `it-tombstones-${run}`));
  const publisher = new EventPublisher(client);
  let app: INestMicroservice;
  let server: KafkaEventServer;

  beforeAll(async () => {
    server = new KafkaEventServer(kafkaServerOptions({ brokers: INTEGRATION.kafkaBrokers, groupPrefix: '' }, groupId));
    app = await NestFactory.createMicroservice(ProbeModule, { strategy: server, logger: ['error'] });
    await app.listen();
    await waitFor('the probe consumer to join its group', async () => server.isReady, 60_000);
    await publisher.onModuleInit();
    await rawProducer.connect();
  });

  afterAll(async () => {
    await rawProducer.disconnect();
    await publisher.onApplicationShutdown();
    await app.close();
  });

  it('hands a tombstone to the handler as the deletion event and dead-letters only the bad records', async () => {
    const offerId = randomUUID();
    const brandId = randomUUID();
    await publisher.publish(Topics.OfferCatalog, 'offer.upserted', offer(offerId, brandId, 1));
    const deleted = await publisher.publish(Topics.OfferCatalog, 'offer.deleted', { offerId, brandId, version: 2 });
    // Bad records on the same key (so the same partition), each in front of a valid event.
    await rawProducer.send({ topic: Topics.OfferCatalog, acks: -1, messages: [{ key: offerId, value: null }] });
    await rawProducer.send({ topic: Topics.OfferCatalog, acks: -1, messages: [{ key: offerId, value: '{"id":"x","type":"offer.upserted"}' }] });
    await publisher.publish(Topics.OfferCatalog, 'offer.upserted', offer(offerId, brandId, 3));

    await waitFor('version 3 to be handled', async () => handled.some((e) => e.data.offerId === offerId && e.data.version === 3), 60_000);
    const mine = handled.filter((e) => e.data.offerId === offerId);
    expect(mine.map((e) => `${e.type}@${e.data.version}`)).toEqual(['offer.upserted@1', 'offer.deleted@2', 'offer.upserted@3']);
    expect(mine[1]).toMatchObject({ id: deleted.id, occurredAt: deleted.occurredAt, data: { offerId, brandId, version: 2 } });

    // On the topic, the deletion is a tombstone that says what it was.
    const onTopic = await readKeyed(kafka, Topics.OfferCatalog, offerId, 5);
    expect(onTopic[1].value).toBeNull();
    const header = (m: KafkaMessage, name: string) => m.headers?.[name]?.toString();
    expect(header(onTopic[1], 'event-type')).toBe('offer.deleted');
    expect(header(onTopic[1], 'entity-type')).toBe('offer');
    expect(header(onTopic[1], 'brand-id')).toBe(brandId);
    expect(header(onTopic[1], 'entity-version')).toBe('2');
    expect(header(onTopic[1], 'event-id')).toBe(deleted.id);

    // Only the header-less tombstone and the malformed value were dead-lettered by this group. The
    // running stack's own groups read the topic too and dead-letter the same records, maybe first.
    const dead = await readKeyed(kafka, deadLetterTopic(Topics.OfferCatalog), offerId, 2, (m) => header(m, 'dlq-consumer-group') === groupId);
    expect(dead).toHaveLength(2);
    expect(dead[0].value).toBeNull();
    expect(header(dead[0], 'dlq-reason')).toBe('invalid');
    expect(header(dead[0], 'dlq-error')).toContain('headers.entity-version');
    expect(dead[1].value?.toString()).toBe('{"id":"x","type":"offer.upserted"}');
    expect(header(dead[1], 'dlq-reason')).toBe('invalid');
  });
});

/** The first `count` messages of `topic` with `key` (and that `match`), read from the beginning by a throwaway group. */
async function readKeyed(kafka: Kafka, topic: string, key: string, count: number, match: (m: KafkaMessage) => boolean = () => true): Promise<KafkaMessage[]> {
  const found: KafkaMessage[] = [];
  const groupId = `${INTEGRATION.groupPrefix}tombstones-reader-${randomBytes(4).toString('hex')}`;
  const reader = kafka.consumer({ groupId });
  await reader.connect();
  await reader.subscribe({ topic, fromBeginning: true });
  await reader.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() === key && match(message)) found.push(message);
    },
  });
  try {
    await waitFor(`${count} messages keyed ${key} on ${topic}`, async () => found.length >= count, 60_000);
  } finally {
    await reader.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return found;
}
