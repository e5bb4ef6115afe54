import { Topics } from '@app/contracts';
import { COMMIT_INTERVAL_MS, EventPublisher, KafkaBatchConsumer, kafkaProducerOptions } from '@app/kafka';
import { waitFor } from '@app/testing';
import { ClientKafka } from '@nestjs/microservices';
import { Admin, Kafka, Producer, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { INTEGRATION } from '../setup/integration-env';

jest.setTimeout(90_000);

/**
 * KafkaBatchConsumer commits its offsets itself, at most once per COMMIT_INTERVAL_MS instead of
 * after every batch (kafkajs's autoCommit): what it handled is still committed within about an
 * interval when the partition goes quiet, and at once when it stops, so nothing handled is handed
 * out again to the next member of the group.
 */
describe('KafkaBatchConsumer commits (real Kafka)', () => {
  const run = randomBytes(4).toString('hex');
  const group = `commits-${run}`;
  const settings = { brokers: INTEGRATION.kafkaBrokers, groupPrefix: INTEGRATION.groupPrefix };
  const kafka = new Kafka({ clientId: `it-commits-${run}`, brokers: INTEGRATION.kafkaBrokers, logLevel: logLevel.NOTHING });
  const client = new ClientKafka(kafkaProducerOptions(settings, `it-commits-${run}`));
  const publisher = new EventPublisher(client);
  // A topic few other tests write to; the key puts every message of this run on one partition.
  const topic = Topics.ShopperErasure;
  const key = `commits-${run}`;
  let producer: Producer;
  let admin: Admin;
  const consumers: KafkaBatchConsumer<string>[] = [];

  function consumer(handled: string[]): KafkaBatchConsumer<string> {
    const c = new KafkaBatchConsumer<string>(
      {
        topic,
        groupId: group,
        fromBeginning: false,
        parse: (m) => m.value?.toString() ?? '',
        handle: async (chunk) => {
          handled.push(...chunk.filter((c) => c.message.key?.toString() === key).map((c) => c.event));
        },
      },
      settings,
      publisher,
    );
    consumers.push(c);
    return c;
  }

  /** Produces `values` under the run's key; returns the partition and the offset after the last. */
  async function produce(values: string[]): Promise<{ partition: number; next: bigint }> {
    const [meta] = await producer.send({ topic, acks: -1, messages: values.map((value) => ({ key, value })) });
    return { partition: meta.partition, next: BigInt(meta.baseOffset ?? '0') + BigInt(values.length) };
  }

  async function committed(partition: number): Promise<bigint> {
    const [offsets] = await admin.fetchOffsets({ groupId: `${INTEGRATION.groupPrefix}${group}`, topics: [topic] });
    const p = offsets.partitions.find((x) => x.partition === partition);
    return BigInt(p?.offset ?? '-1');
  }

  beforeAll(async () => {
    producer = kafka.producer();
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect(), publisher.onModuleInit()]);
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await Promise.all([producer.disconnect(), admin.disconnect(), publisher.onApplicationShutdown()]);
  });

  it('commits a quiet partition within about an interval, and what it handled at stop', async () => {
    const handled: string[] = [];
    const first = consumer(handled);
    void first.start();
    await waitFor('the consumer to join its group', async () => first.isReady, 60_000);

    const { partition, next } = await produce(['a', 'b', 'c']);
    await waitFor('a, b, c to be handled', async () => handled.length === 3, 30_000);
    // Nothing more arrives: the idle commit, not a later batch, must move the group's offset.
    await waitFor('the idle commit', async () => (await committed(partition)) === next, COMMIT_INTERVAL_MS * 5, 100);

    const more = await produce(['d', 'e']);
    await waitFor('d, e to be handled', async () => handled.length === 5, 30_000);
    // Stopped at once, well within an interval of the last commit.
    await first.stop();
    expect(await committed(partition)).toBe(more.next);
    expect(handled).toEqual(['a', 'b', 'c', 'd', 'e']);

    // The group's next member starts after what the first one handled: nothing is handed out again.
    const again: string[] = [];
    const second = consumer(again);
    void second.start();
    await waitFor('the second consumer to join', async () => second.isReady, 60_000);
    await produce(['f']);
    await waitFor('f to be handled', async () => again.length > 0, 30_000);
    expect(again).toEqual(['f']);
  });
});
