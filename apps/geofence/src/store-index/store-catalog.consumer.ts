import { EventOf, Topics, parseCatalogRecord } from '@app/contracts';
import { KAFKA_SETTINGS, KafkaSettings, classifyFailure, kafkaServerOptions } from '@app/kafka';
import { HealthRegistry } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Partitioners, Producer } from 'kafkajs';
import { deadLetter } from '../kafka/dead-letters';
import { ApplyStoreEvent } from './apply-store-event.usecase';
import { StoreIndexRepository } from './store-index.repository';

/** Events applied together: two Redis round trips (StoreIndexRepository.applyBatch). */
const CHUNK = 500;

/**
 * Keeps the index current from the compacted catalog.store.v1, and rebuilds it when it is empty.
 * One kafkajs consumer (group `<prefix>geofence-catalog`, eachBatch: a batch's stores are applied
 * concurrently, one store's versions in order). At start, when Redis holds no "built" mark (a new
 * Redis, a flushed one, or a rebuild that never finished), every assigned partition is sought back
 * to offset 0, whatever the group had committed; once the partitions have been read up to the end
 * offsets seen at start, the index is marked built and `built` resolves (evaluation waits for it,
 * and /health reports `store-index` down until then). Tombstones remove their store; invalid
 * events go to the `.dlq`.
 */
@Injectable()
export class StoreCatalogConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StoreCatalogConsumer.name);
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private readonly producer: Producer;
  private ready = false;
  private resolveBuilt: () => void = () => undefined;
  /** Resolves once the index holds the whole catalog. */
  readonly built = new Promise<void>((resolve) => (this.resolveBuilt = resolve));

  constructor(
    private readonly index: StoreIndexRepository,
    private readonly applyStoreEvent: ApplyStoreEvent,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    health: HealthRegistry,
  ) {
    const options = kafkaServerOptions(settings, 'geofence-catalog');
    this.groupId = options.consumer?.groupId ?? 'geofence-catalog';
    this.kafka = new Kafka(options.client as ConstructorParameters<typeof Kafka>[0]);
    this.consumer = this.kafka.consumer(options.consumer as Parameters<Kafka['consumer']>[0]);
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    health.register('store-index', () => this.ready);
    void this.built.then(() => (this.ready = true));
  }

  onApplicationBootstrap(): void {
    void this.start().catch((error: unknown) => {
      this.logger.error(`store catalog consumer failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  private async start(): Promise<void> {
    const started = Date.now();
    const rebuild = !(await this.index.isBuilt());
    const kafka = this.consumer;
    await this.producer.connect();
    await kafka.connect();
    // The end offsets to reach before the index counts as built (when rebuilding).
    const remaining = new Map<number, bigint>();
    if (rebuild) for (const e of await this.endOffsets()) if (e.high > 0n) remaining.set(e.partition, e.high);
    let applied = 0;
    let done = false;
    const maybeBuilt = async () => {
      if (remaining.size > 0 || done) return;
      done = true;
      await this.index.markBuilt(new Date());
      if (rebuild) this.logger.log(`store index rebuilt from ${Topics.StoreCatalog}: ${applied} events in ${Date.now() - started} ms`);
      this.resolveBuilt();
    };
    if (!rebuild) await maybeBuilt();
    await kafka.subscribe({ topic: Topics.StoreCatalog, fromBeginning: true });
    kafka.on(kafka.events.GROUP_JOIN, ({ payload }) => {
      const mine = new Set(payload.memberAssignment[Topics.StoreCatalog] ?? []);
      // Partitions another replica was given are its to rebuild; ours are read again from 0.
      for (const partition of [...remaining.keys()]) {
        if (!mine.has(partition)) remaining.delete(partition);
        else kafka.seek({ topic: Topics.StoreCatalog, partition, offset: '0' });
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
      return (await admin.fetchTopicOffsets(Topics.StoreCatalog)).map((p) => ({ partition: p.partition, high: BigInt(p.high) }));
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * A partition's batch in chunks of CHUNK events, each applied in two Redis round trips
   * (ApplyStoreEvent.executeBatch). A chunk that fails for a reason other than a transient one is
   * applied event by event, and an event that still fails goes to the `.dlq`.
   */
  private async onBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<number> {
    let applied = 0;
    for (let i = 0; i < batch.messages.length; i += CHUNK) {
      const chunk = batch.messages.slice(i, i + CHUNK);
      const parsed: { m: KafkaMessage; event: EventOf<typeof Topics.StoreCatalog> }[] = [];
      for (const m of chunk) {
        try {
          // A tombstone (a deleted store, value null) arrives as `store.deleted`.
          parsed.push({ m, event: parseCatalogRecord(Topics.StoreCatalog, m) });
        } catch (error) {
          await this.deadLetterOrThrow(batch.topic, batch.partition, m, error);
        }
      }
      try {
        await this.applyStoreEvent.executeBatch(parsed.map((p) => p.event));
        applied += parsed.length;
      } catch (error) {
        if (classifyFailure(error) === 'transient') throw error;
        for (const { m, event } of parsed) {
          try {
            await this.applyStoreEvent.execute(event);
            applied++;
          } catch (e) {
            await this.deadLetterOrThrow(batch.topic, batch.partition, m, e);
          }
        }
      }
      resolveOffset(chunk[chunk.length - 1].offset);
      await heartbeat();
    }
    return applied;
  }

  private async deadLetterOrThrow(topic: string, partition: number, m: KafkaMessage, error: unknown): Promise<void> {
    const kind = classifyFailure(error);
    if (kind === 'transient' || kind === 'unexpected') throw error;
    await deadLetter(this.producer, this.logger, { topic, partition, message: m, group: this.groupId }, kind, error);
  }

  /** Stops fetching and finishes the batch in hand while Redis and the producers are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}
