import { AnyEvent, EventOf, Topic, eventKey, parseCatalogRecord } from '@app/contracts';
import { ConsumerLifecycle, KafkaSettings, KeyHashPartitioner, classifyFailure, kafkaServerOptions, whileHeartbeating } from '@app/kafka';
import { Metrics, countGroupJoins } from '@app/observability';
import { Logger } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
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
  /**
   * Applies a chunk of one partition's events in order, all or nothing (a failed chunk is applied
   * again event by event). Optional: without it, a chunk's keys are applied concurrently, one key's
   * events in order, one `apply` each.
   */
  applyBatch?(events: EventOf<T>[]): Promise<void>;
}

/** Events applied together (one applyBatch call). */
const CHUNK = 500;

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
  private readonly lifecycle = new ConsumerLifecycle();
  private resolveBuilt: () => void = () => undefined;
  /** Resolves once the projection holds the whole topic. */
  readonly built = new Promise<void>((resolve) => (this.resolveBuilt = resolve));

  constructor(
    private readonly projection: CompactedProjection<T>,
    settings: KafkaSettings,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    const options = kafkaServerOptions(settings, projection.group);
    this.groupId = options.consumer?.groupId ?? projection.group;
    this.kafka = new Kafka(options.client as ConstructorParameters<typeof Kafka>[0]);
    this.consumer = this.kafka.consumer(options.consumer as Parameters<Kafka['consumer']>[0]);
    countGroupJoins(this.consumer, metrics, this.groupId);
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: KeyHashPartitioner });
  }

  /** Rebuilds if needed, then follows the topic (a `stop` during the start ends it). */
  start(): Promise<void> {
    return this.lifecycle.start((stopping) => this.run(stopping));
  }

  private async run(stopping: () => boolean): Promise<void> {
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
    if (stopping()) return;
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
        const n = await this.onBatch(payload);
        applied += n;
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

  /**
   * A partition's batch in chunks of CHUNK events. A chunk that fails for a reason other than a
   * transient one is applied event by event, and an event that still fails goes to the `.dlq`
   * (transient and unexpected failures make kafkajs fetch the batch again from the last chunk).
   */
  private async onBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<number> {
    let applied = 0;
    for (let i = 0; i < batch.messages.length; i += CHUNK) {
      const chunk = batch.messages.slice(i, i + CHUNK);
      const parsed: { m: KafkaMessage; event: EventOf<T> }[] = [];
      for (const m of chunk) {
        try {
          parsed.push({ m, event: parseCatalogRecord(this.projection.topic, m) });
        } catch (error) {
          await this.deadLetterOrThrow(batch.topic, batch.partition, m, error);
        }
      }
      applied += await whileHeartbeating(heartbeat, async () => {
        try {
          await this.applyChunk(parsed.map((p) => p.event));
          return parsed.length;
        } catch (error) {
          if (classifyFailure(error) === 'transient') throw error;
          let appliedAlone = 0;
          for (const { m, event } of parsed) {
            try {
              await this.projection.apply(event);
              appliedAlone++;
            } catch (e) {
              await this.deadLetterOrThrow(batch.topic, batch.partition, m, e);
            }
          }
          return appliedAlone;
        }
      });
      resolveOffset(chunk[chunk.length - 1].offset);
      await heartbeat();
    }
    return applied;
  }

  private async applyChunk(events: EventOf<T>[]): Promise<void> {
    if (this.projection.applyBatch) return this.projection.applyBatch(events);
    const byKey = new Map<string, EventOf<T>[]>();
    for (const e of events) {
      const key = eventKey(this.projection.topic, e as AnyEvent);
      const list = byKey.get(key);
      if (list) list.push(e);
      else byKey.set(key, [e]);
    }
    await Promise.all(
      [...byKey.values()].map(async (list) => {
        for (const e of list) await this.projection.apply(e);
      }),
    );
  }

  private async deadLetterOrThrow(topic: string, partition: number, m: KafkaMessage, error: unknown): Promise<void> {
    const kind = classifyFailure(error);
    if (kind === 'transient' || kind === 'unexpected') throw error;
    await deadLetter(this.producer, this.logger, { topic, partition, message: m, group: this.groupId }, kind, error);
  }

  /** Stops fetching and finishes the batch in hand while Redis and the producer are still open. */
  async stop(): Promise<void> {
    await this.lifecycle.stop(async () => {
      await this.consumer.disconnect().catch(() => undefined);
      await this.producer.disconnect().catch(() => undefined);
    });
  }
}
