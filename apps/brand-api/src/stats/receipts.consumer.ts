import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaBatchConsumer, KafkaSettings, inOrderPerKey } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { RecordShopperReceipt } from './record-delivery.usecase';

/**
 * Delivery and read receipts and clicks from shopper.interaction.v1, in batches (group
 * `brand-api-receipts`). The topic carries every location share too (most events here are not
 * receipts and cost nothing), so it runs at the rate of shares: kafkajs eachBatch, shoppers at
 * once and each shopper's events in order, instead of Nest's one-message-at-a-time pipeline.
 */
@Injectable()
export class ReceiptsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReceiptsConsumer.name);
  private readonly batches: KafkaBatchConsumer<ReturnType<typeof parseEvent<typeof Topics.ShopperInteraction>>>;

  constructor(recordReceipt: RecordShopperReceipt, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    const consumed = metrics.counter('kafka_events_consumed_total', 'Kafka events handled, by topic and outcome', ['topic', 'outcome']);
    this.batches = new KafkaBatchConsumer(
      {
        topic: Topics.ShopperInteraction,
        groupId: 'brand-api-receipts',
        parse: (m) => parseEvent(Topics.ShopperInteraction, m.value),
        handle: (chunk) => inOrderPerKey(chunk, (c) => c.event.data.shopperId, (c) => recordReceipt.execute(c.event.data)),
        onOutcome: (topic, outcome, n) => consumed.inc({ topic, outcome }, n),
      },
      settings,
      publisher,
    );
    health.register('receipts-consumer', () => this.batches.isReady);
  }

  onApplicationBootstrap(): void {
    void this.batches.start().catch((error: unknown) => {
      this.logger.error(`receipts consumer failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.batches.stop();
  }
}
