import { BatchConsumerSpec, EventPublisher, KafkaBatchConsumer, KafkaSettings } from '@app/kafka';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HealthRegistry } from './health';
import { countGroupJoins } from './kafka-group-joins';
import { METRIC_NAMES } from './metric-names';
import { Metrics } from './metrics';

export interface BatchConsumerServiceSpec<E> extends Omit<BatchConsumerSpec<E>, 'onOutcome'> {
  /** Its check in /health: up once the consumer has joined its group. */
  healthCheck: string;
}

/** From 5 ms (a hop on an idle stack) to a minute (a backlog). */
const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * A KafkaBatchConsumer owned by a Nest provider, run the way bootstrapApp runs Nest's transport:
 * outcomes counted in kafka_events_consumed_total, group membership a /health check. It lives here
 * rather than in libs/kafka because @app/observability already depends on @app/kafka. A subclass
 * states its topic, group, parse and handle; its constructor takes the infrastructure from Nest.
 */
export abstract class BatchConsumerService<E> implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly batches: KafkaBatchConsumer<E>;
  private readonly logger = new Logger(this.constructor.name);

  protected constructor(spec: BatchConsumerServiceSpec<E>, settings: KafkaSettings, publisher: EventPublisher, health: HealthRegistry, metrics: Metrics) {
    const { healthCheck, ...batchSpec } = spec;
    const consumed = metrics.counter(METRIC_NAMES.kafkaEventsConsumed, 'Kafka events handled, by topic and outcome', ['topic', 'outcome']);
    const waited = metrics.histogram(METRIC_NAMES.kafkaConsumeWait, 'Seconds from a record\'s timestamp (its producer) to its hand-over to the use case, by topic', ['topic'], WAIT_BUCKETS);
    const handled = metrics.histogram(METRIC_NAMES.kafkaChunkHandle, 'Seconds a use case took over one chunk of a partition\'s records, by topic', ['topic'], WAIT_BUCKETS);
    this.batches = new KafkaBatchConsumer(
      {
        ...batchSpec,
        onOutcome: (topic, outcome, n) => consumed.inc({ topic, outcome }, n),
        onTimings: (topic, waitsS, handleS) => {
          const byTopic = waited.labels({ topic });
          for (const w of waitsS) byTopic.observe(w);
          handled.observe({ topic }, handleS);
        },
      },
      settings,
      publisher,
    );
    health.register(healthCheck, () => this.batches.isReady);
    countGroupJoins(this.batches.consumer, metrics, this.batches.groupId);
  }

  /**
   * Joining the group takes seconds, so the app does not wait for it (/health tells when it is
   * done). A consumer that cannot start stops the app (graceful shutdown, exit code 1) rather
   * than leaving it up consuming nothing.
   */
  onApplicationBootstrap(): void {
    void this.start().catch((error: unknown) => {
      this.logger.error(`consumer group ${this.batches.groupId} failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  /** Connects and consumes; a subclass that must wait for something first overrides it. */
  protected start(): Promise<void> {
    return this.batches.start();
  }

  /** Before the producer and Redis close: kafkajs lets the batch in hand finish and commit first. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.batches.stop();
  }
}
