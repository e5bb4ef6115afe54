import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, OFF_PATH_FETCH } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { RecordDeliveryStatus } from './record-delivery.usecase';

/**
 * Feeds offer stats from delivery outcomes (delivery.status.v1, group `brand-api-statuses`;
 * receipts: receipts.consumer.ts), in batches: a chunk's statuses are written in one statement
 * (RecordDeliveryStatus). Through Nest's one-message-at-a-time transport each status cost a
 * statement and about half a millisecond of handler pipeline. Invalid events go to `.dlq`.
 */
@Injectable()
export class StatsConsumer extends BatchConsumerService<ReturnType<typeof parseEvent<typeof Topics.DeliveryStatus>>> {
  constructor(recordStatus: RecordDeliveryStatus, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    super(
      {
        topic: Topics.DeliveryStatus,
        groupId: 'brand-api-statuses',
        healthCheck: 'statuses-consumer',
        fetch: OFF_PATH_FETCH,
        parse: (m) => parseEvent(Topics.DeliveryStatus, m.value),
        handle: (chunk) => recordStatus.executeMany(chunk.map((c) => c.event.data)),
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }
}
