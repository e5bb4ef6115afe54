import { waitFor } from '@app/testing';
import { Kafka, KafkaMessage, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { runDeadLetters } from '../../scripts/dead-letters';

jest.setTimeout(60_000);

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');

/**
 * The operator's dead-letter tool (docs/operations.md) against the real broker, on topics of its
 * own: `list` prints letters without their bodies and commits nothing; `replay` puts each letter
 * back on its source topic once, without the dlq-* headers, and a second replay does nothing.
 */
describe('dead-letters tool (real Kafka)', () => {
  const run = randomBytes(4).toString('hex');
  const topic = `it-ops.replay-${run}.v1`;
  const dlq = `${topic}.dlq`;
  const groupPrefix = `it-ops-${run}-`;
  const kafka = new Kafka({ clientId: `it-ops-${run}`, brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 1 },
        { topic: dlq, numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await producer.connect();
    await producer.send({
      topic: dlq,
      acks: -1,
      messages: [1, 2].map((n) => ({
        key: `PAGE:PSID${n}`,
        value: JSON.stringify({ id: `e${n}`, lat: 48.1 + n }),
        headers: {
          'event-id': `e${n}`,
          'event-type': 'location.shared',
          'dlq-reason': 'transient',
          'dlq-error': `Error: Redis away ${n}`,
          'dlq-source-topic': topic,
        },
      })),
    });
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => undefined);
    await admin.deleteGroups([`${groupPrefix}ops-dlq-replay.${topic}`]).catch(() => undefined);
    await admin.disconnect();
  });

  it('lists the letters with their reasons, not their bodies', async () => {
    const lines: string[] = [];
    const listed = await runDeadLetters(
      { command: 'list', topic, limit: Number.POSITIVE_INFINITY, values: false },
      { brokers, groupPrefix },
      (l) => lines.push(l),
    );
    expect(listed).toBe(2);
    const letters = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(letters.map((l) => [l.key, l.eventId, l.reason, l.error])).toEqual([
      ['PAGE:PSID1', 'e1', 'transient', 'Error: Redis away 1'],
      ['PAGE:PSID2', 'e2', 'transient', 'Error: Redis away 2'],
    ]);
    for (const letter of letters) expect(letter).not.toHaveProperty('value');
    expect(lines.join('\n')).not.toContain('"lat"');
  });

  it('replays each letter to its source topic once', async () => {
    expect(
      await runDeadLetters(
        { command: 'replay', topic, limit: Number.POSITIVE_INFINITY, values: false },
        { brokers, groupPrefix },
      ),
    ).toBe(2);
    expect(
      await runDeadLetters(
        { command: 'replay', topic, limit: Number.POSITIVE_INFINITY, values: false },
        { brokers, groupPrefix },
      ),
    ).toBe(0);

    const replayed: KafkaMessage[] = [];
    const consumer = kafka.consumer({ groupId: `${groupPrefix}check` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void replayed.push(message) });
    try {
      await waitFor('the replayed letters', async () => replayed.length >= 2);
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([`${groupPrefix}check`]).catch(() => undefined);
    }
    expect(replayed).toHaveLength(2);
    for (const [i, m] of replayed.entries()) {
      expect(m.key?.toString()).toBe(`PAGE:PSID${i + 1}`);
      expect(JSON.parse(m.value!.toString())).toEqual({ id: `e${i + 1}`, lat: 48.1 + i + 1 });
      const headers = Object.fromEntries(
        Object.entries(m.headers ?? {}).map(([k, v]) => [k, v?.toString()]),
      );
      expect(headers).toEqual({
        'event-id': `e${i + 1}`,
        'event-type': 'location.shared',
        'dlq-replayed-from': `${dlq}/0/${i}`,
      });
    }
  });
});
