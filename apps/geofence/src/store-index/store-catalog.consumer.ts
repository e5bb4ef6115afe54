import { Topics, parseCatalogRecord } from '@app/contracts';
import { KAFKA_SETTINGS, KafkaSettings, classifyFailure, kafkaServerOptions } from '@app/kafka';
import { HealthRegistry } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Partitioners, Producer } from 'kafkajs';
import { deadLetter } from '../kafka/dead-letters';
import { ApplyStoreEvent } from './apply-store-event.usecase';
import { StoreIndexRepository } from './store-index.repository';

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
      return (await admin.fetchTopicOffsets(Topics.StoreCatalog)).map((p) => ({ partition: p.partition, high: BigInt(p.high) }));
    } finally {
      await admin.disconnect();
    }
  }

  private async onBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<number> {
    const byStore = new Map<string, KafkaMessage[]>();
    for (const m of batch.messages) {
      const key = m.key?.toString() ?? '';
      const list = byStore.get(key);
      if (list) list.push(m);
      else byStore.set(key, [m]);
    }
    let applied = 0;
    await Promise.all(
      [...byStore.values()].map(async (messages) => {
        for (const m of messages) {
          try {
            // A tombstone (a deleted store, value null) arrives as `store.deleted`.
            await this.applyStoreEvent.execute(parseCatalogRecord(Topics.StoreCatalog, m));
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

  /** Stops fetching and finishes the batch in hand while Redis and the producers are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}
