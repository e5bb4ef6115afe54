/**
 * Inspect and drain dead letters (`<topic>.dlq`, written by KafkaEventServer with the reason in
 * headers). See docs/operations.md.
 *   node dist/scripts/dead-letters.js list   <topic> [--limit N] [--values]
 *   node dist/scripts/dead-letters.js replay <topic> [--limit N]
 * `list` reads without committing (a throwaway group, deleted afterwards) and prints each dead
 * letter's position, key, reason, error and event id/type; event bodies only with --values (they
 * can hold a shopper's coordinates: keep them out of tickets and chats).
 * `replay` re-publishes dead letters to the topic they came from, original key, value and headers
 * (minus the dlq-* ones) plus `dlq-replayed-from`, and commits each one after Kafka acknowledged
 * the produce, under the group `ops-dlq-replay.<topic>`: running it twice never replays a letter
 * twice. Fix the cause first (deploy the fix, or restore the dependency), or the letters come back.
 * Environment: KAFKA_BROKERS (default localhost:9092), KAFKA_GROUP_PREFIX.
 */
import { Topic, deadLetterTopic } from '@app/contracts';
import { KeyHashPartitioner } from '@app/kafka';
import { EachMessagePayload, IHeaders, Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';

export interface DeadLetterOptions {
  command: 'list' | 'replay';
  topic: string;
  limit: number;
  values: boolean;
}

function parseArgs(argv: string[]): DeadLetterOptions {
  const [command, topic, ...rest] = argv;
  if ((command !== 'list' && command !== 'replay') || !topic || topic.endsWith('.dlq')) {
    throw new Error(
      'usage: dead-letters.js list|replay <topic, without .dlq> [--limit N] [--values]',
    );
  }
  const limitAt = rest.indexOf('--limit');
  const limit = limitAt >= 0 ? Number(rest[limitAt + 1]) : Number.POSITIVE_INFINITY;
  if (!(limit > 0)) throw new Error('--limit takes a positive number');
  return { command, topic, limit, values: rest.includes('--values') };
}

const header = (headers: IHeaders | undefined, name: string): string => {
  const v = headers?.[name];
  return (Array.isArray(v) ? v[0] : v)?.toString() ?? '';
};

/**
 * Lists or replays the dead letters of `topic`; resolves with how many it handled. `out` receives
 * one line per listed letter.
 */
export async function runDeadLetters(
  options: DeadLetterOptions,
  settings: { brokers: string[]; groupPrefix: string },
  out: (line: string) => void = console.log,
): Promise<number> {
  const prefix = settings.groupPrefix;
  const kafka = new Kafka({
    clientId: `${prefix}ops-dead-letters`,
    brokers: settings.brokers,
    logLevel: logLevel.WARN,
  });
  const dlq = deadLetterTopic(options.topic as Topic);
  const groupId =
    options.command === 'replay'
      ? `${prefix}ops-dlq-replay.${options.topic}`
      : `${prefix}ops-dlq-list-${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({
    createPartitioner: KeyHashPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  try {
    // Work on what is there now: stop at each partition's current end.
    const ends = new Map(
      (await admin.fetchTopicOffsets(dlq)).map((p) => [p.partition, Number(p.high)]),
    );
    const committed = await admin.fetchOffsets({ groupId, topics: [dlq] });
    const remaining = new Map<number, number>();
    for (const [partition, end] of ends) {
      const c = Number(
        committed[0]?.partitions.find((p) => p.partition === partition)?.offset ?? -1,
      );
      if (end > Math.max(c, 0)) remaining.set(partition, end);
    }
    let handled = 0;
    if (remaining.size > 0 && options.limit > 0) {
      if (options.command === 'replay') await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic: dlq, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const done = () => remaining.size === 0 || handled >= options.limit;
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }: EachMessagePayload) => {
              const end = remaining.get(partition);
              if (end === undefined || done()) return;
              const offset = Number(message.offset);
              if (offset < end) {
                if (options.command === 'list')
                  out(describeLetter(partition, message, options.values));
                else await replay(producer, options.topic, dlq, partition, message);
                await consumer.commitOffsets([
                  { topic: dlq, partition, offset: String(offset + 1) },
                ]);
                handled += 1;
              }
              if (offset + 1 >= end) remaining.delete(partition);
              if (done()) resolve();
            },
          })
          .catch(reject);
      });
    }
    return handled;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    if (options.command === 'list') await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

function describeLetter(
  partition: number,
  message: EachMessagePayload['message'],
  values: boolean,
): string {
  const h = message.headers;
  return JSON.stringify({
    at: `${partition}/${message.offset}`,
    key: message.key?.toString() ?? null,
    eventId: header(h, 'event-id'),
    eventType: header(h, 'event-type'),
    reason: header(h, 'dlq-reason'),
    error: header(h, 'dlq-error'),
    source: `${header(h, 'dlq-source-topic')}/${header(h, 'dlq-source-partition')}/${header(h, 'dlq-source-offset')}`,
    group: header(h, 'dlq-consumer-group'),
    failedAt: header(h, 'dlq-failed-at'),
    bytes: message.value?.length ?? 0,
    // A tombstone (a deletion on a compacted catalog topic): what it deleted is in its headers.
    ...(message.value === null ? { tombstone: true, entityType: header(h, 'entity-type'), brandId: header(h, 'brand-id'), version: header(h, 'entity-version') } : {}),
    ...(values ? { value: message.value?.toString() ?? null } : {}),
  });
}

async function replay(
  producer: ReturnType<Kafka['producer']>,
  topic: string,
  dlq: string,
  partition: number,
  message: EachMessagePayload['message'],
): Promise<void> {
  const headers: IHeaders = {};
  for (const [k, v] of Object.entries(message.headers ?? {}))
    if (!k.startsWith('dlq-') && v !== undefined) headers[k] = v;
  headers['dlq-replayed-from'] = `${dlq}/${partition}/${message.offset}`;
  await producer.send({
    topic,
    acks: -1,
    messages: [{ key: message.key, value: message.value, headers }],
  });
}

if (require.main === module) {
  let options: DeadLetterOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const settings = {
    brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','),
    groupPrefix: process.env.KAFKA_GROUP_PREFIX ?? '',
  };
  runDeadLetters(options, settings)
    .then((handled) =>
      console.log(
        `[dead-letters] ${options.command === 'list' ? 'listed' : 'replayed'} ${handled} from ${deadLetterTopic(options.topic as Topic)}`,
      ),
    )
    .catch((error: unknown) => {
      console.error('[dead-letters] failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
