import { EventOf, Topics, createEvent, deadLetterTopic, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter, KafkaEventServer, kafkaServerOptions } from '@app/kafka';
import { waitFor } from '@app/testing';
import { Controller, INestMicroservice, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';

jest.setTimeout(60_000);

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');
const handled: EventOf<typeof Topics.ShopperErasure>[] = [];

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
class ErasureProbeConsumer {
  @EventPattern(Topics.ShopperErasure)
  onErasure(@Payload() value: unknown): void {
    handled.push(parseEvent(Topics.ShopperErasure, value));
  }
}

@Module({ controllers: [ErasureProbeConsumer] })
class ProbeModule {}

/**
 * A consumer that meets an invalid event moves it to the topic's `.dlq` and goes on: the valid
 * event behind it in the same partition is still processed (the partition is not blocked).
 */
describe('KafkaEventServer dead-letter policy (real Kafka)', () => {
  const run = randomBytes(4).toString('hex');
  const groupId = `it-dlq-${run}`;
  const kafka = new Kafka({ clientId: `it-dlq-${run}`, brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  let app: INestMicroservice;
  let server: KafkaEventServer;

  beforeAll(async () => {
    // A new group reads from the beginning (the topic is small): with "latest" the group's first
    // offset could be resolved after the test produced, and the messages would be skipped.
    server = new KafkaEventServer(kafkaServerOptions({ brokers, groupPrefix: '' }, groupId));
    app = await NestFactory.createMicroservice(ProbeModule, { strategy: server, logger: ['error'] });
    await app.listen();
    await waitFor('the probe consumer to join its group', async () => server.isReady, 30_000);
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
    await app.close();
  });

  it('dead-letters a poison message with its reason and keeps consuming the partition', async () => {
    const shopperId = `PAGE${run}:PSID${run}`;
    const valid = createEvent(Topics.ShopperErasure, 'shopper.erased', {
      shopperId,
      pageId: `PAGE${run}`,
      psid: `PSID${run}`,
      brandId: 'brand',
      requestedAt: new Date().toISOString(),
    });
    // Same key → same partition: the poison message sits right in front of the valid one.
    await producer.send({
      topic: Topics.ShopperErasure,
      messages: [
        { key: shopperId, value: 'this is not JSON' },
        { key: shopperId, value: JSON.stringify({ ...valid, data: { ...valid.data, shopperId: 'no-colon' } }) },
        { key: shopperId, value: JSON.stringify(valid) },
      ],
    });

    await waitFor('the valid event to be handled', async () => handled.some((e) => e.id === valid.id), 30_000);

    const dead: { value: string; reason: string; error: string }[] = [];
    const reader = kafka.consumer({ groupId: `it-dlq-reader-${run}` });
    await reader.connect();
    await reader.subscribe({ topic: deadLetterTopic(Topics.ShopperErasure), fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => message.headers?.[name]?.toString() ?? '';
        if (message.key?.toString() === shopperId && header('dlq-consumer-group') === groupId) {
          dead.push({ value: message.value?.toString() ?? '', reason: header('dlq-reason'), error: header('dlq-error') });
        }
      },
    });
    try {
      await waitFor('both poison messages in the dead-letter topic', async () => dead.length >= 2, 30_000);
    } finally {
      await reader.disconnect();
    }
    expect(dead).toHaveLength(2);
    expect(dead[0]).toMatchObject({ value: 'this is not JSON', reason: 'invalid' });
    expect(dead[1].reason).toBe('invalid');
    expect(dead[1].error).toContain('data.shopperId');
    expect(handled.filter((e) => e.id === valid.id)).toHaveLength(1);
  });
});
