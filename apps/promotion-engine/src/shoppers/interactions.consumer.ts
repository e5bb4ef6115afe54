import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, inOrderPerKey } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { RecordInteraction } from './record-interaction.usecase';

/**
 * shopper.interaction.v1 in batches (group `promotion-engine-interactions`): messages, postbacks,
 * receipts and clicks (a location shared in the chat is not on this topic: its transition says
 * that it opened the window). A chunk's interactions are recorded shopper by shopper in order, shoppers at once (their Redis
 * calls leave together through auto-pipelining), without Nest's per-message pipeline. It fetches
 * as soon as one message is there (not OFF_PATH_FETCH): a "STOP" must be recorded before the
 * decision on a location shared right after it.
 */
@Injectable()
export class InteractionsConsumer extends BatchConsumerService<ReturnType<typeof parseEvent<typeof Topics.ShopperInteraction>>> {
  constructor(recordInteraction: RecordInteraction, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    super(
      {
        topic: Topics.ShopperInteraction,
        groupId: 'promotion-engine-interactions',
        healthCheck: 'interactions-consumer',
        parse: (m) => parseEvent(Topics.ShopperInteraction, m.value),
        handle: (chunk) => inOrderPerKey(chunk, (c) => c.event.data.shopperId, (c) => recordInteraction.execute(c.event.data)),
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }
}
