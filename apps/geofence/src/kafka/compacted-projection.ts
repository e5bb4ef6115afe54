import { EventOf, Topic, parseCatalogRecord } from '@app/contracts';
import { KafkaSettings, classifyFailure, kafkaServerOptions } from '@app/kafka';
import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Partitioners, Producer } from 'kafkajs';
import { deadLetter } from './dead-letters';

/** What a Redis projection of one compacted catalog topic must provide to be kept and rebuilt. */
export interface CompactedProjection<T extends Topic> {
  topic: T;
  /** Consumer group, without the deployment's prefix. */
  group: string;
  /** Whether Redis holds the whole topic (a "built" mark set by `markBuilt`). */
  isBuilt(): Promise<boolean>;
  markBuilt(at: Date): Promise<void>;
  /** Applies one event (a tombstone arrives as the topic's deletion event); idempotent per version. */
  apply(event: EventOf<T>): Promise<void>;
}

/**
 * Keeps a projection current from its compacted topic, and rebuilds it when it is empty. One
 * kafkajs consumer (eachBatch: a batch's keys applied concurrently, one key's records in order).
 * At start, when the projection has no "built" mark (a new Redis, a flushed one, or a rebuild that
 * never finished), every assigned partition is sought back to offset 0, whatever the group had
 * committed; once the partitions have been read up to the end offsets seen at start, the
 * projection is marked built and `built` resolves. Invalid records go to the `.dlq`; transient
 * and unexpected failures make kafkajs fetch the batch again.
 */
export class CompactedProjectionConsumer<T extends Topic> {
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private readonly producer: Producer;
  private resolveBuilt: () => void = () => undefined;
  /** Resolves once the projection holds the whole topic. */
  readonly built = new Promise<void>((resolve) => (this.resolveBuilt = resolve));

  constructor(
    private readonly projection: CompactedProjection<T>,
    settings: KafkaSettings,
    private readonly logger: Logger,
  ) {
    const options = kafkaServerOptions(settings, projection.group);
    this.groupId = options.consumer?.groupId ?? projection.group;
    this.kafka = new Kafka(options.client as ConstructorParameters<typeof Kafka>[0]);
    this.consumer = this.kafka.consumer(options.consumer as Parameters<Kafka['consumer']>[0]);
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  }

  async start(): Promise<void> {
    const { topic } = this.projection;
    const started = Date.now();
    const rebuild = !(await this.projection.isBuilt());
    const kafka = this.consumer;
    await this.producer.connect();
    await kafka.connect();
    // The end offsets to reach before the projection counts as built (when rebuilding).
    const remaining = new Map<number, bigint>();
    if (rebuild) for (const e of await this.endOffsets()) if (e.high > 0n) remaining.set(e.partition, e.high);
    let applied = 0;
    let done = false;
    const maybeBuilt = async () => {
      if (remaining.size > 0 || done) return;
      done = true;
      await this.projection.markBuilt(new Date());
      if (rebuild) this.logger.log(`projection rebuilt from ${topic}: ${applied} events in ${Date.now() - started} ms`);
      this.resolveBuilt();
    };
    if (!rebuild) await maybeBuilt();
    await kafka.subscribe({ topic, fromBeginning: true });
    kafka.on(kafka.events.GROUP_JOIN, ({ payload }) => {
      const mine = new Set(payload.memberAssignment[topic] ?? []);
      // Partitions another replica was given are its to rebuild; ours are read again from 0.
      for (const partition of [...remaining.keys()]) {
        if (!mine.has(partition)) remaining.delete(partition);
        else kafka.seek({ topic, partition, offset: '0' });
      }
      void maybeBuilt();
    });
    await kafka.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async (payload) => {
        applied += await this.onBatch(payload);
        const end = remaining.get(payload.batch.partition);
        if (end !== undefined && BigInt(payload.batch.lastOffset()) + 1n >= end) {
          remaining.delete(payload.batch.partition);
          await maybeBuilt();
        }
      },
    });
  }

  private async endOffsets(): Promise<{ partition: number; high: bigint }[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(this.projection.topic)).map((p) => ({ partition: p.partition, high: BigInt(p.high) }));
    } finally {
      await admin.disconnect();
    }
  }

  private async onBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<number> {
    const byKey = new Map<string, KafkaMessage[]>();
    for (const m of batch.messages) {
      const key = m.key?.toString() ?? '';
      const list = byKey.get(key);
      if (list) list.push(m);
      else byKey.set(key, [m]);
    }
    let applied = 0;
    await Promise.all(
      [...byKey.values()].map(async (messages) => {
        for (const m of messages) {
          try {
            await this.projection.apply(parseCatalogRecord(this.projection.topic, m));
            applied++;
          } catch (error) {
            const kind = classifyFailure(error);
            if (kind === 'transient' || kind === 'unexpected') throw error;
            await deadLetter(this.producer, this.logger, { topic: batch.topic, partition: batch.partition, message: m, group: this.groupId }, kind, error);
          }
        }
      }),
    );
    resolveOffset(batch.lastOffset());
    await heartbeat();
    return applied;
  }

  /** Stops fetching and finishes the batch in hand while Redis and the producer are still open. */
  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}
