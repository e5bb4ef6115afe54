import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, inOrderPerKey } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { RecordShopperReceipt } from './record-delivery.usecase';

/**
 * Delivery and read receipts and clicks from shopper.interaction.v1, in batches (group
 * `brand-api-receipts`). The topic carries every location share too (most events here are not
 * receipts and cost nothing), so it runs at the rate of shares: kafkajs eachBatch, shoppers at
 * once and each shopper's events in order, instead of Nest's one-message-at-a-time pipeline.
 */
@Injectable()
export class ReceiptsConsumer extends BatchConsumerService<ReturnType<typeof parseEvent<typeof Topics.ShopperInteraction>>> {
  constructor(recordReceipt: RecordShopperReceipt, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    super(
      {
        topic: Topics.ShopperInteraction,
        groupId: 'brand-api-receipts',
        healthCheck: 'receipts-consumer',
        parse: (m) => parseEvent(Topics.ShopperInteraction, m.value),
        handle: (chunk) =>
          inOrderPerKey(
            chunk.filter((c) => RecordShopperReceipt.concerns(c.event.data)),
            (c) => c.event.data.shopperId,
            (c) => recordReceipt.execute(c.event.data),
          ),
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }
}
