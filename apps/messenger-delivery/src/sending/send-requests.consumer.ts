import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaBatchConsumer, KafkaSettings, inOrderPerKey } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { DeliverPromotion } from './deliver-promotion.usecase';

/** Send requests handled at once (each one a Send API call, paced per Page by PacedSendApi). */
const CHUNK = 200;

/**
 * promotion.send-request.v1 in batches (group `messenger-delivery-sends`). Through Nest's
 * transport a partition's requests were sent one after another, each waiting for its Send API
 * answer, which held the whole system to a few dozen promotions a second (make bench, 2 December
 * 2026: 3,305 requests waiting while every stage before was idle). Here a chunk's requests go out
 * at once, one shopper's in order, each Page held to its rate by PacedSendApi. A request is sent
 * at most once whatever happens to the chunk: DeliverPromotion claims it in the send ledger first.
 */
@Injectable()
export class SendRequestsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SendRequestsConsumer.name);
  private readonly batches: KafkaBatchConsumer<ReturnType<typeof parseEvent<typeof Topics.PromotionSendRequest>>>;

  constructor(deliverPromotion: DeliverPromotion, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    const consumed = metrics.counter('kafka_events_consumed_total', 'Kafka events handled, by topic and outcome', ['topic', 'outcome']);
    this.batches = new KafkaBatchConsumer(
      {
        topic: Topics.PromotionSendRequest,
        groupId: 'messenger-delivery-sends',
        chunkSize: CHUNK,
        parse: (m) => parseEvent(Topics.PromotionSendRequest, m.value),
        handle: (chunk) => inOrderPerKey(chunk, (c) => c.event.data.shopperId, (c) => deliverPromotion.execute(c.event)),
        onOutcome: (topic, outcome, n) => consumed.inc({ topic, outcome }, n),
      },
      settings,
      publisher,
    );
    health.register('send-requests-consumer', () => this.batches.isReady);
  }

  onApplicationBootstrap(): void {
    void this.batches.start().catch((error: unknown) => {
      this.logger.error(`send requests consumer failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.batches.stop();
  }
}
