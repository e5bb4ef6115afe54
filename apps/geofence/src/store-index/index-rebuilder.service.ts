import { Topics, parseEvent } from '@app/contracts';
import { KAFKA_SETTINGS, KafkaSettings, kafkaServerOptions } from '@app/kafka';
import { HealthRegistry } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { ApplyStoreEvent } from './apply-store-event.usecase';
import { StoreIndexRepository } from './store-index.repository';

/**
 * Rebuilds the index from the compacted catalog.store.v1 when it is empty (no "built" mark in
 * Redis: a new Redis, a flushed one, or a rebuild that never finished). The live StoresConsumer's
 * group has committed offsets and would not read the topic again, so the rebuild reads it from
 * offset 0 with a group of its own, up to the end offsets seen when it began, then marks the
 * index built and deletes its group. Evaluation waits for it (health says so meanwhile).
 */
@Injectable()
export class IndexRebuilder implements OnApplicationShutdown {
  private readonly logger = new Logger(IndexRebuilder.name);
  private consumer: Consumer | undefined;
  private built = false;

  constructor(
    private readonly index: StoreIndexRepository,
    private readonly applyStoreEvent: ApplyStoreEvent,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    health: HealthRegistry,
  ) {
    health.register('store-index', () => this.built);
  }

  /** Resolves once the index holds the whole catalog. */
  async ensureBuilt(): Promise<void> {
    if (await this.index.isBuilt()) {
      this.built = true;
      return;
    }
    const started = Date.now();
    const groupId = `${this.settings.groupPrefix}geofence-rebuild-${randomUUID()}`;
    const options = kafkaServerOptions(this.settings, 'geofence-rebuild');
    const kafka = new Kafka(options.client as ConstructorParameters<typeof Kafka>[0]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(Topics.StoreCatalog);
      const remaining = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
      let applied = 0;
      if (remaining.size > 0) {
        const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
        this.consumer = consumer;
        await consumer.connect();
        await consumer.subscribe({ topic: Topics.StoreCatalog, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
          void consumer
            .run({
              autoCommit: false,
              partitionsConsumedConcurrently: 3,
              eachBatch: async ({ batch, heartbeat }) => {
                const byStore = new Map<string, unknown[]>();
                for (const m of batch.messages) {
                  const key = m.key?.toString() ?? '';
                  byStore.set(key, [...(byStore.get(key) ?? []), m.value?.toString()]);
                }
                // One store's versions in order; different stores concurrently (pipelined).
                await Promise.all(
                  [...byStore.values()].map(async (values) => {
                    for (const v of values) {
                      if (v === undefined) continue; // a compaction tombstone: nothing to apply
                      try {
                        await this.applyStoreEvent.execute(parseEvent(Topics.StoreCatalog, v));
                        applied++;
                      } catch (error) {
                        // Invalid events are the live consumer's to dead-letter; the rebuild skips them.
                        if ((error as { code?: string }).code !== 'EVENT_INVALID') throw error;
                      }
                    }
                  }),
                );
                await heartbeat();
                if (BigInt(batch.lastOffset()) + 1n >= (remaining.get(batch.partition) ?? 0n)) remaining.delete(batch.partition);
                if (remaining.size === 0) resolve();
              },
            })
            .catch(reject);
        });
        await consumer.disconnect();
        this.consumer = undefined;
        await admin.deleteGroups([groupId]).catch(() => undefined);
      }
      await this.index.markBuilt(new Date());
      this.built = true;
      this.logger.log(`store index rebuilt from ${Topics.StoreCatalog}: ${applied} events in ${Date.now() - started} ms`);
    } finally {
      await admin.disconnect();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }
}
