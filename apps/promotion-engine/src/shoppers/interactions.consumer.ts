import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaBatchConsumer, KafkaSettings, inOrderPerKey } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { RecordInteraction } from './record-interaction.usecase';

/**
 * shopper.interaction.v1 in batches (group `promotion-engine-interactions`): every location share
 * is also an interaction (it opens Messenger's window), so this topic runs at the rate of shares.
 * A chunk's interactions are recorded shopper by shopper in order, shoppers at once (their Redis
 * calls leave together through auto-pipelining), without Nest's per-message pipeline.
 */
@Injectable()
export class InteractionsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InteractionsConsumer.name);
  private readonly batches: KafkaBatchConsumer<ReturnType<typeof parseEvent<typeof Topics.ShopperInteraction>>>;

  constructor(recordInteraction: RecordInteraction, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    const consumed = metrics.counter('kafka_events_consumed_total', 'Kafka events handled, by topic and outcome', ['topic', 'outcome']);
    this.batches = new KafkaBatchConsumer(
      {
        topic: Topics.ShopperInteraction,
        groupId: 'promotion-engine-interactions',
        parse: (m) => parseEvent(Topics.ShopperInteraction, m.value),
        handle: (chunk) => inOrderPerKey(chunk, (c) => c.event.data.shopperId, (c) => recordInteraction.execute(c.event.data)),
        onOutcome: (topic, outcome, n) => consumed.inc({ topic, outcome }, n),
      },
      settings,
      publisher,
    );
    health.register('interactions-consumer', () => this.batches.isReady);
  }

  onApplicationBootstrap(): void {
    void this.batches.start().catch((error: unknown) => {
      this.logger.error(`interactions consumer failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.batches.stop();
  }
}
