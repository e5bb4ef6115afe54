import { Topics, deadLetterTopic, parseCatalogRecord } from '@app/contracts';
import { ConsumerLifecycle, KAFKA_SETTINGS, KafkaSettings, KeyHashPartitioner, kafkaServerOptions } from '@app/kafka';
import { HealthRegistry, Metrics, countGroupJoins } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Admin, Consumer, EachMessagePayload, Kafka, Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { ApiKeyDirectory } from './api-key-directory';

/** How long shutdown waits for the group's removal (an empty group also expires on the broker by itself). */
const GROUP_CLEANUP_MS = 2_000;

/**
 * Reads catalog.api-key.v1 into this process's ApiKeyDirectory, from the beginning at every
 * start: every replica needs every key, so each one has a group of its own
 * (`<prefix>messenger-gateway-api-keys-<random>`) that never commits and is deleted at shutdown.
 * The directory counts as built (and /health reports `api-keys` up) once the partitions have been
 * read up to the end offsets seen at start. Then it follows the topic live, so a revocation
 * (a tombstone, read back as `api-key.revoked`) takes effect as soon as it is consumed. Invalid
 * records go to the `.dlq` like everywhere else.
 */
@Injectable()
export class ApiKeyCatalogConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiKeyCatalogConsumer.name);
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly groupId: string;
  private readonly lifecycle = new ConsumerLifecycle();

  constructor(
    private readonly directory: ApiKeyDirectory,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    health: HealthRegistry,
    metrics: Metrics,
  ) {
    const options = kafkaServerOptions(settings, `messenger-gateway-api-keys-${randomBytes(4).toString('hex')}`);
    this.groupId = (options.consumer as { groupId: string }).groupId;
    this.kafka = new Kafka(options.client as ConstructorParameters<typeof Kafka>[0]);
    this.consumer = this.kafka.consumer(options.consumer as Parameters<Kafka['consumer']>[0]);
    countGroupJoins(this.consumer, metrics, this.groupId);
    this.producer = this.kafka.producer({ allowAutoTopicCreation: false, createPartitioner: KeyHashPartitioner });
    health.register('api-keys', () => this.directory.isBuilt);
  }

  onApplicationBootstrap(): void {
    void this.start().catch((error: unknown) => {
      this.logger.error(`api key consumer failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  private start(): Promise<void> {
    return this.lifecycle.start((stopping) => this.run(stopping));
  }

  private async run(stopping: () => boolean): Promise<void> {
    const started = Date.now();
    const remaining = new Map<number, bigint>();
    for (const p of await this.withAdmin((admin) => admin.fetchTopicOffsets(Topics.ApiKeyCatalog))) {
      if (BigInt(p.high) > BigInt(p.low)) remaining.set(p.partition, BigInt(p.high));
    }
    const maybeBuilt = () => {
      if (remaining.size > 0 || this.directory.isBuilt) return;
      this.directory.markBuilt();
      this.logger.log(`api keys loaded from ${Topics.ApiKeyCatalog}: ${this.directory.size} active in ${Date.now() - started} ms`);
    };
    maybeBuilt();
    await this.producer.connect();
    await this.consumer.connect();
    if (stopping()) return;
    await this.consumer.subscribe({ topic: Topics.ApiKeyCatalog, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: async (payload) => {
        await this.onMessage(payload);
        const end = remaining.get(payload.partition);
        if (end !== undefined && BigInt(payload.message.offset) + 1n >= end) {
          remaining.delete(payload.partition);
          maybeBuilt();
        }
      },
    });
  }

  private async onMessage({ topic, partition, message }: EachMessagePayload): Promise<void> {
    let event;
    try {
      event = parseCatalogRecord(Topics.ApiKeyCatalog, message);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.logger.warn(`dead-lettering ${topic}/${partition}/${message.offset} (invalid): ${reason}`);
      await this.producer.send({
        topic: deadLetterTopic(topic),
        acks: -1,
        messages: [
          {
            key: message.key,
            value: message.value,
            headers: {
              ...message.headers,
              'dlq-reason': 'invalid',
              'dlq-error': reason.slice(0, 2000),
              'dlq-source-topic': topic,
              'dlq-source-partition': String(partition),
              'dlq-source-offset': message.offset,
              'dlq-consumer-group': this.groupId,
              'dlq-failed-at': new Date().toISOString(),
            },
          },
        ],
      });
      return;
    }
    this.directory.apply(event);
  }

  private async withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.lifecycle.stop(async () => {
      await this.consumer.disconnect().catch(() => undefined);
      await this.producer.disconnect().catch(() => undefined);
    });
    // The group never committed; remove it so restarts leave nothing behind on the broker. Best
    // effort and bounded: the admin client retries for up to a minute, past the shutdown deadline.
    const deleted = this.withAdmin((admin) => admin.deleteGroups([this.groupId])).catch(() => undefined);
    await Promise.race([deleted, new Promise((resolve) => setTimeout(resolve, GROUP_CLEANUP_MS).unref())]);
  }
}
