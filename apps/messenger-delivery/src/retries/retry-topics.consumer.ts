import { EventValidationError, RETRY_SCHEDULES, Topics, deadLetterTopic, parseEvent, retryTopic } from '@app/contracts';
import {
  CONSUMER_MAX_WAIT_MS,
  EventPublisher,
  HEARTBEAT_INTERVAL_MS,
  KAFKA_SETTINGS,
  KafkaSettings,
  SESSION_TIMEOUT_MS,
  classifyFailure,
  rejoinAfterFatalCrash,
  whileHeartbeating,
} from '@app/kafka';
import { HealthRegistry, Metrics, countGroupJoins } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Consumer, EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliverPromotion } from '../sending/deliver-promotion.usecase';

class ShuttingDown extends Error {
  readonly transient = true;
}

/**
 * Consumes `promotion.send-request.v1.retry.<n>` with its own kafkajs consumer (Nest's transport
 * cannot wait on a message without blocking its heartbeat). Each message carries when it is due;
 * the consumer waits for that moment while heartbeating, so the group keeps it, then hands the
 * request to the delivery use case as attempt `retry-attempt`. One retry topic holds messages of
 * one delay, so they arrive roughly in due order and waiting for the head costs the others little.
 * Nothing is committed before the attempt is done: a restart resumes the waits.
 */
@Injectable()
export class RetryTopicsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RetryTopicsConsumer.name);
  private consumer: Consumer | null = null;
  private readonly stopping = new AbortController();
  private joined = false;
  /** The group, also the client id and what a dead letter names as its consumer. */
  private readonly groupId: string;

  constructor(
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly deliverPromotion: DeliverPromotion,
    private readonly publisher: EventPublisher,
    health: HealthRegistry,
    private readonly metrics: Metrics,
  ) {
    this.groupId = `${settings.groupPrefix}messenger-delivery-retry`;
    health.register('kafka-retry-consumer', () => this.joined);
  }

  async onApplicationBootstrap(): Promise<void> {
    const kafka = new Kafka({
      clientId: this.groupId,
      brokers: this.settings.brokers,
      logLevel: logLevel.WARN,
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 12 },
    });
    const consumer = kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: SESSION_TIMEOUT_MS,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxWaitTimeInMs: CONSUMER_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
    });
    consumer.on(consumer.events.GROUP_JOIN, () => (this.joined = true));
    consumer.on(consumer.events.CRASH, () => (this.joined = false));
    consumer.on(consumer.events.STOP, () => (this.joined = false));
    countGroupJoins(consumer, this.metrics, this.groupId);
    this.consumer = consumer;
    await this.run(consumer);
    // A broker restart can crash it with an error kafkajs does not retry ("Failed to find group
    // coordinator"): it then stayed stopped, the retries waiting and /health down, until the
    // process was restarted (make chaos, 4 December 2026). The other consumers had this already.
    rejoinAfterFatalCrash(consumer, () => this.run(consumer), () => this.stopping.signal.aborted, this.logger);
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.connect();
    const topics = RETRY_SCHEDULES.flatMap((s) => s.delaysMs.map((_, i) => retryTopic(s.topic, i + 1)));
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({ partitionsConsumedConcurrently: 8, eachMessage: (payload) => this.handle(payload) });
  }

  /** Stops fetching and finishes the batch in hand while Redis and the producers are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async handle({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    try {
      const event = parseEvent(Topics.PromotionSendRequest, message.value);
      const attempt = Number(message.headers?.['retry-attempt']?.toString() ?? NaN);
      const dueAt = Number(message.headers?.['retry-due-at']?.toString() ?? NaN);
      if (!Number.isInteger(attempt) || attempt < 2 || !Number.isFinite(dueAt)) {
        throw new EventValidationError(topic, [{ path: 'headers', message: 'retry-attempt and retry-due-at are required' }]);
      }
      await this.waitUntil(dueAt, heartbeat);
      await whileHeartbeating(heartbeat, () => this.deliverPromotion.execute(event, attempt));
    } catch (error) {
      const kind = classifyFailure(error);
      if (kind === 'invalid' || kind === 'permanent') {
        this.logger.warn(`dead-lettering ${topic}/${partition}/${message.offset}: ${(error as Error).message}`);
        await this.deadLetter(topic, partition, message, kind, error);
        return;
      }
      throw error;
    }
  }

  private async waitUntil(dueAtMs: number, heartbeat: () => Promise<void>): Promise<void> {
    for (;;) {
      if (this.stopping.signal.aborted) throw new ShuttingDown('shutting down before the retry was due');
      const left = dueAtMs - Date.now();
      if (left <= 0) return;
      // Woken at once by a shutdown, which then does not wait out the heartbeat interval.
      await sleep(Math.min(left, HEARTBEAT_INTERVAL_MS), undefined, { signal: this.stopping.signal }).catch(() => undefined);
      if (this.stopping.signal.aborted) continue;
      await heartbeat();
    }
  }

  private async deadLetter(topic: string, partition: number, message: EachMessagePayload['message'], kind: string, error: unknown): Promise<void> {
    const source = topic.replace(/\.retry\.\d+$/, '');
    // The original bytes may be invalid, so they go as they came rather than through the publisher's checks.
    await this.publisher.deadLetter(deadLetterTopic(source), message, {
      'dlq-reason': kind,
      'dlq-error': (error instanceof Error ? error.message : String(error)).slice(0, 2000),
      'dlq-source-topic': topic,
      'dlq-source-partition': String(partition),
      'dlq-source-offset': message.offset,
      'dlq-consumer-group': this.groupId,
      'dlq-failed-at': new Date().toISOString(),
    });
  }
}
