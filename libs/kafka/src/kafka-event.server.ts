import { Topic, deadLetterTopic } from '@app/contracts';
import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import type { Consumer, EachMessagePayload, IHeaders } from 'kafkajs';
import { classifyFailure } from './failure-policy';

export type ConsumeOutcome = 'processed' | 'dead_lettered' | 'retried';

export interface KafkaEventServerHooks {
  /** Called once per handled message, for metrics. */
  onOutcome?: (topic: string, outcome: ConsumeOutcome) => void;
}

/** Unexpected (non-transient) failures of one message tolerated before it is dead-lettered. */
const MAX_UNEXPECTED_ATTEMPTS = 5;

/**
 * Nest's Kafka transport with the project's error policy (failure-policy.ts). Nest's own server
 * lets a failing handler's error reach kafkajs, which redelivers the message for ever and blocks
 * its partition (nestjs/nest#14664). Here invalid and permanently failing events go to
 * `<topic>.dlq` (the produce is awaited, with the original bytes and the reason in headers) and
 * the partition moves on; only transient failures are retried.
 */
export class KafkaEventServer extends ServerKafka {
  private joined = false;
  private readonly unexpectedAttempts = new Map<string, number>();

  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly hooks: KafkaEventServerHooks = {},
  ) {
    super(options);
  }

  /** True once the consumer has joined its group and been assigned partitions. */
  get isReady(): boolean {
    return this.joined;
  }

  override async bindEvents(consumer: Consumer): Promise<void> {
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    consumer.on(consumer.events.CRASH, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.STOP, () => {
      this.joined = false;
    });
    await super.bindEvents(consumer);
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    // Nest's parser rewrites the message in place; keep the original bytes for dead letters.
    const original = {
      key: payload.message.key,
      value: payload.message.value,
      headers: { ...(payload.message.headers ?? {}) },
    };
    const where = `${payload.topic}/${payload.partition}/${payload.message.offset}`;
    try {
      await super.handleMessage(payload);
      this.unexpectedAttempts.delete(where);
      this.hooks.onOutcome?.(payload.topic, 'processed');
    } catch (error) {
      const kind = classifyFailure(error);
      if (kind === 'transient') {
        this.logger.warn(`transient failure on ${where}, will retry: ${describe(error)}`);
        this.hooks.onOutcome?.(payload.topic, 'retried');
        throw error;
      }
      if (kind === 'unexpected') {
        const attempts = (this.unexpectedAttempts.get(where) ?? 0) + 1;
        this.unexpectedAttempts.set(where, attempts);
        if (attempts < MAX_UNEXPECTED_ATTEMPTS) {
          this.logger.error(`unexpected failure on ${where} (attempt ${attempts}): ${describe(error)}`);
          this.hooks.onOutcome?.(payload.topic, 'retried');
          throw error;
        }
      }
      this.unexpectedAttempts.delete(where);
      await this.deadLetter(payload, original, kind, error);
      this.hooks.onOutcome?.(payload.topic, 'dead_lettered');
    }
  }

  private async deadLetter(
    payload: EachMessagePayload,
    original: { key: Buffer | null; value: Buffer | null; headers: IHeaders },
    kind: string,
    error: unknown,
  ): Promise<void> {
    const topic = deadLetterTopic(payload.topic as Topic);
    this.logger.warn(
      `dead-lettering ${payload.topic}/${payload.partition}/${payload.message.offset} to ${topic} (${kind}): ${describe(error)}`,
    );
    if (!this.producer) throw new Error('Kafka producer is not connected');
    await this.producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: original.key,
          value: original.value,
          headers: {
            ...original.headers,
            'dlq-reason': kind,
            'dlq-error': describe(error).slice(0, 2000),
            'dlq-source-topic': payload.topic,
            'dlq-source-partition': String(payload.partition),
            'dlq-source-offset': payload.message.offset,
            'dlq-consumer-group': this.groupId,
            'dlq-failed-at': new Date().toISOString(),
          },
        },
      ],
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
