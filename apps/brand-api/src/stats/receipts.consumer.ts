import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, OFF_PATH_FETCH } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { RecordShopperReceipt } from './record-delivery.usecase';

/**
 * Delivery and read receipts and clicks from shopper.interaction.v1, in batches (group
 * `brand-api-receipts`). The topic carries every message and postback too (most events here are
 * not receipts and cost nothing): kafkajs eachBatch, fetched a few times a second (OFF_PATH_FETCH);
 * a chunk's watermarks are written in one statement per round, each shopper's in order.
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
        handle: (chunk) => recordReceipt.executeMany(chunk.filter((c) => RecordShopperReceipt.concerns(c.event.data)).map((c) => c.event.data)),
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }
}
