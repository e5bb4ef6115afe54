import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, inOrderPerKey } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { RecordInteraction } from './record-interaction.usecase';

/**
 * shopper.interaction.v1 in batches (group `promotion-engine-interactions`): every location share
 * is also an interaction (it opens Messenger's window), so this topic runs at the rate of shares.
 * A chunk's interactions are recorded shopper by shopper in order, shoppers at once (their Redis
 * calls leave together through auto-pipelining), without Nest's per-message pipeline.
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
