import { Topic, deadLetterTopic, eventOfTombstone } from '@app/contracts';
import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { rejoinAfterFatalCrash } from './rejoin-after-crash';
import type { Admin } from '@nestjs/microservices/external/kafka.interface';
import type { Consumer, EachMessagePayload, IHeaders } from 'kafkajs';
import { deadLetterRecord } from './dead-letter-record';
import { classifyFailure } from './failure-policy';
import { inMessageTrace } from './trace-headers';
import { whileHeartbeating } from './kafka-options';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

export type ConsumeOutcome = 'processed' | 'dead_lettered' | 'retried';

export interface KafkaEventServerHooks {
  /** Called once per handled message, for metrics. */
  onOutcome?: (topic: string, outcome: ConsumeOutcome) => void;
  /** Called each time the consumer joins its group (at start, then at every rebalance), for metrics. */
  onGroupJoin?: (group: string) => void;
}

/** Unexpected (non-transient) failures of one message tolerated before it is dead-lettered. */
const MAX_UNEXPECTED_ATTEMPTS = 5;

/**
 * Nest's Kafka transport with the project's error policy (failure-policy.ts). Nest's own server
 * lets a failing handler's error reach kafkajs, which redelivers the message for ever and blocks
 * its partition (nestjs/nest#14664). Here invalid and permanently failing events go to
 * `<topic>.dlq` (the produce is awaited, with the original bytes and the reason in headers) and
 * the partition moves on; only transient failures are retried. Tombstones on the compacted
 * catalog topics reach handlers as the topic's deletion event (libs/contracts tombstones.ts).
 */
export class KafkaEventServer extends ServerKafka {
  private joined = false;
  private closing = false;
  private readonly unexpectedAttempts = new Map<string, number>();
  private admin?: Promise<Admin>;

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
      this.hooks.onGroupJoin?.(this.groupId);
    });
    consumer.on(consumer.events.CRASH, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.STOP, () => {
      this.joined = false;
    });
    rejoinAfterFatalCrash(
      consumer,
      async () => {
        await consumer.connect();
        await super.bindEvents(consumer);
      },
      () => this.closing,
      this.logger,
    );
    await super.bindEvents(consumer);
  }

  /**
   * Runs the handler in the producer's trace (inMessageTrace): what it publishes or calls carries
   * it on. Heartbeats while it runs, so a handler held up by an outage keeps its consumer in the group.
   */
  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const source = { topic: payload.topic, partition: payload.partition, group: this.groupId };
    await whileHeartbeating(payload.heartbeat, () => inMessageTrace(source, payload.message, () => this.handleWithPolicy(payload)));
  }

  /**
   * How far behind this group is on each partition of the topics it consumes: the high
   * watermark minus the committed offset (minus the low watermark when nothing was committed).
   * Read at each Prometheus scrape; an unreachable broker yields no figures rather than old ones.
   */
  async consumerLag(): Promise<PartitionLag[]> {
    if (!this.client) return [];
    const topics = [...this.messageHandlers.keys()];
    if (topics.length === 0) return [];
    const client = this.client;
    const connecting = (this.admin ??= (async () => {
      const a = client.admin();
      await a.connect();
      return a;
    })());
    let admin: Admin;
    try {
      admin = await connecting;
    } catch {
      this.admin = undefined;
      return [];
    }
    const committed = await admin.fetchOffsets({ groupId: this.groupId, topics });
    const lags: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      const watermarks = await admin.fetchTopicOffsets(topic);
      for (const w of watermarks) {
        const c = Number(partitions.find((p) => p.partition === w.partition)?.offset ?? -1);
        const from = c >= 0 ? c : Number(w.low);
        lags.push({ group: this.groupId, topic, partition: w.partition, lag: Math.max(0, Number(w.high) - from) });
      }
    }
    return lags;
  }

  override async close(): Promise<void> {
    this.closing = true;
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
    await super.close();
  }

  private async handleWithPolicy(payload: EachMessagePayload): Promise<void> {
    // Nest's parser rewrites the message in place; keep the original bytes for dead letters.
    const original = {
      key: payload.message.key,
      value: payload.message.value,
      headers: { ...(payload.message.headers ?? {}) },
    };
    const where = `${payload.topic}/${payload.partition}/${payload.message.offset}`;
    try {
      await super.handleMessage(payload.message.value === null ? this.tombstoneAsDeletion(payload) : payload);
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

  /**
   * A tombstone (value null) as the topic's deletion event. Left alone, Nest's deserializer would
   * hand the handler the whole Kafka message instead (`data?.value ?? data`), which fails
   * validation and is dead-lettered. A tombstone on a topic without deletions, or without the
   * headers that say what it deleted, is invalid (→ `.dlq`). The message is copied, not changed:
   * a redelivery and a dead letter see the original.
   */
  private tombstoneAsDeletion(payload: EachMessagePayload): EachMessagePayload {
    const deletion = eventOfTombstone(payload.topic as Topic, payload.message.key, payload.message.headers);
    return { ...payload, message: { ...payload.message, value: Buffer.from(JSON.stringify(deletion)) } };
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
        deadLetterRecord(original, {
          'dlq-reason': kind,
          'dlq-error': describe(error).slice(0, 2000),
          'dlq-source-topic': payload.topic,
          'dlq-source-partition': String(payload.partition),
          'dlq-source-offset': payload.message.offset,
          'dlq-consumer-group': this.groupId,
          'dlq-failed-at': new Date().toISOString(),
        }),
      ],
    });
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
