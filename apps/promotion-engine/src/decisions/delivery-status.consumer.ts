import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, OFF_PATH_FETCH, inOrderPerKey } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { SettleReservation } from './settle-reservation.usecase';

/**
 * delivery.status.v1 in batches (group `promotion-engine-statuses`): each outcome settles its
 * reservation, shopper by shopper in order, shoppers at once (their Redis calls leave together
 * through auto-pipelining), without Nest's per-message pipeline (about half a millisecond of CPU
 * per message). Off the promotion's path: fetched a few times a second (OFF_PATH_FETCH).
 */
@Injectable()
export class DeliveryStatusConsumer extends BatchConsumerService<ReturnType<typeof parseEvent<typeof Topics.DeliveryStatus>>> {
  constructor(settleReservation: SettleReservation, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    super(
      {
        topic: Topics.DeliveryStatus,
        groupId: 'promotion-engine-statuses',
        healthCheck: 'statuses-consumer',
        fetch: OFF_PATH_FETCH,
        parse: (m) => parseEvent(Topics.DeliveryStatus, m.value),
        handle: (chunk) => inOrderPerKey(chunk, (c) => c.event.data.shopperId, (c) => settleReservation.execute(c.event.data)),
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }
}
