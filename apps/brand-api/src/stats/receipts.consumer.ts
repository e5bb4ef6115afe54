import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, OFF_PATH_FETCH, inOrderPerKey } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { RecordShopperReceipt } from './record-delivery.usecase';

/**
 * Delivery and read receipts and clicks from shopper.interaction.v1, in batches (group
 * `brand-api-receipts`). The topic carries every message and postback too (most events here are
 * not receipts and cost nothing): kafkajs eachBatch, fetched a few times a second (OFF_PATH_FETCH),
 * shoppers at once and each shopper's events in order.
 */
@Injectable()
export class ReceiptsConsumer extends BatchConsumerService<ReturnType<typeof parseEvent<typeof Topics.ShopperInteraction>>> {
  constructor(recordReceipt: RecordShopperReceipt, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    super(
      {
        topic: Topics.ShopperInteraction,
        groupId: 'brand-api-receipts',
        healthCheck: 'receipts-consumer',
        fetch: OFF_PATH_FETCH,
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
