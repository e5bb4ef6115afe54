import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaBatchConsumer, KafkaSettings, inMessageTrace, inOrderPerKey } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { SendReply } from './send-reply.usecase';

/**
 * shopper.interaction.v1 in batches (group `messenger-delivery-interactions`): it carries every
 * location share, and only a few messages are commands to answer. Shoppers are handled at once,
 * each shopper's interactions in order; a reply is sent at most once (SendReply's ledger claim),
 * so a chunk handled again after a failure sends nothing twice.
 */
@Injectable()
export class InteractionsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(InteractionsConsumer.name);
  private readonly batches: KafkaBatchConsumer<ReturnType<typeof parseEvent<typeof Topics.ShopperInteraction>>>;

  constructor(sendReply: SendReply, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    const consumed = metrics.counter('kafka_events_consumed_total', 'Kafka events handled, by topic and outcome', ['topic', 'outcome']);
    this.batches = new KafkaBatchConsumer(
      {
        topic: Topics.ShopperInteraction,
        groupId: 'messenger-delivery-interactions',
        parse: (m) => parseEvent(Topics.ShopperInteraction, m.value),
        handle: (chunk, source) => inOrderPerKey(chunk, (c) => c.event.data.shopperId, (c) => inMessageTrace(source, c.message, () => sendReply.execute(c.event))),
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
