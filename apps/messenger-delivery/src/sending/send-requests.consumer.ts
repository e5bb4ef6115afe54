import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, inMessageTrace, inOrderPerKey } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { DeliverPromotion } from './deliver-promotion.usecase';

/** Send requests per chunk (offsets move on after each). */
const CHUNK = 200;
/**
 * Send API calls in flight at most. Each call takes its Page's token right before it leaves; the
 * more calls wait at once, the more their arrival at Meta spreads past the second their tokens
 * were taken in: the fresh-clone e2e saw 51 calls in one second at a 35/s + 5 Page with 200 at
 * once, and again with 24. Four per partition (three partitions at once) stays close to the three
 * in flight of Nest's transport, which always held the rate.
 */
const IN_FLIGHT = 4;

/**
 * promotion.send-request.v1 in batches (group `messenger-delivery-sends`). Through Nest's
 * transport a partition's requests were sent one after another, each waiting for its Send API
 * answer, which held the whole system to a few dozen promotions a second (make bench, 2 December
 * 2026: 3,305 requests waiting while every stage before was idle). Here a chunk's requests go out
 * at once, one shopper's in order, each Page held to its rate by PacedSendApi. A request is sent
 * at most once whatever happens to the chunk: DeliverPromotion claims it in the send ledger first.
 */
@Injectable()
export class SendRequestsConsumer extends BatchConsumerService<ReturnType<typeof parseEvent<typeof Topics.PromotionSendRequest>>> {
  constructor(deliverPromotion: DeliverPromotion, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    super(
      {
        topic: Topics.PromotionSendRequest,
        groupId: 'messenger-delivery-sends',
        healthCheck: 'send-requests-consumer',
        chunkSize: CHUNK,
        parse: (m) => parseEvent(Topics.PromotionSendRequest, m.value),
        handle: (chunk, source) =>
          inOrderPerKey(chunk, (c) => c.event.data.shopperId, (c) => inMessageTrace(source, c.message, () => deliverPromotion.execute(c.event)), IN_FLIGHT),
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }
}
