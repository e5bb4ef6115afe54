import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, OFF_PATH_FETCH, inMessageTrace, inOrderPerKey } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { needsReply } from './replies';
import { SendReply } from './send-reply.usecase';

/**
 * shopper.interaction.v1 in batches (group `messenger-delivery-interactions`), fetched a few times
 * a second (OFF_PATH_FETCH): of its messages, postbacks and receipts only a few are commands to answer. Shoppers are handled at once,
 * each shopper's interactions in order; a reply is sent at most once (SendReply's ledger claim),
 * so a chunk handled again after a failure sends nothing twice.
 */
@Injectable()
export class InteractionsConsumer extends BatchConsumerService<ReturnType<typeof parseEvent<typeof Topics.ShopperInteraction>>> {
  constructor(sendReply: SendReply, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    super(
      {
        topic: Topics.ShopperInteraction,
        groupId: 'messenger-delivery-interactions',
        healthCheck: 'interactions-consumer',
        fetch: OFF_PATH_FETCH,
        parse: (m) => parseEvent(Topics.ShopperInteraction, m.value),
        // Commands first: a receipt or a plain message (most of the topic) answers nothing, so it gets no span,
        // no per-shopper ordering and no use case call.
        handle: (chunk, source) =>
          inOrderPerKey(
            chunk.filter((c) => needsReply(c.event.data)),
            (c) => c.event.data.shopperId,
            (c) => inMessageTrace(source, c.message, () => sendReply.execute(c.event)),
          ),
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }
}
