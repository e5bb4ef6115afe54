import { Topics, deadLetterTopic, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, classifyFailure, kafkaServerOptions } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { DecidePromotion } from './decide-promotion.usecase';

/** Messages decided together: one set of Redis round trips and one produce request. */
const CHUNK = 500;
/** A message failing unexpectedly this many times is dead-lettered (the failure policy's rule). */
const MAX_UNEXPECTED_ATTEMPTS = 5;

export const TRANSITION_PARTITIONS_CONCURRENTLY = Symbol('TRANSITION_PARTITIONS_CONCURRENTLY');

type Event = ReturnType<typeof parseEvent<typeof Topics.GeofenceTransition>>;

/** What the consumer needs of a Kafka message (kafkajs's KafkaMessage has more). */
export type TransitionMessage = Pick<KafkaMessage, 'key' | 'value' | 'offset' | 'headers'>;

/**
 * geofence.transition.v1 in batches. Nest's Kafka transport hands over one message at a time
 * (../shared/KAFKA.md), which caps the engine at a few Redis round trips per decision; this
 * consumer runs kafkajs's eachBatch in its own group and hands chunks of a partition's batch to
 * one DecidePromotion.executeBatch call, which keeps each shopper's order. Offsets move on only
 * after the chunk's decisions are logged and their send requests acknowledged (at-least-once).
 * Failures follow libs/kafka's policy: invalid events go to the `.dlq` at once; transient failures
 * make kafkajs fetch the batch again from the last resolved offset; anything else is retried
 * message by message, then dead-lettered.
 */
@Injectable()
export class TransitionsBatchConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TransitionsBatchConsumer.name);
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private readonly consumed;
  private readonly unexpected = new Map<string, number>();
  private joined = false;

  constructor(
    private readonly decidePromotion: DecidePromotion,
    private readonly publisher: EventPublisher,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    @Inject(TRANSITION_PARTITIONS_CONCURRENTLY) private readonly concurrency: number,
    health: HealthRegistry,
    metrics: Metrics,
  ) {
    const options = kafkaServerOptions(settings, 'promotion-engine-transitions');
    const kafka = new Kafka(options.client as ConstructorParameters<typeof Kafka>[0]);
    this.consumer = kafka.consumer(options.consumer as Parameters<Kafka['consumer']>[0]);
    this.groupId = (options.consumer as { groupId: string }).groupId;
    this.consumed = metrics.counter('kafka_events_consumed_total', 'Kafka events handled, by topic and outcome', ['topic', 'outcome']);
    health.register('transitions-consumer', () => this.joined);
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    this.consumer.on(this.consumer.events.CRASH, () => (this.joined = false));
    this.consumer.on(this.consumer.events.STOP, () => (this.joined = false));
  }

  onApplicationBootstrap(): void {
    void this.start().catch((error: unknown) => {
      this.logger.error(`transitions consumer failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  private async start(): Promise<void> {
    await this.consumer.connect();
    // Like every consumer of the system (kafkaServerOptions), a new group reads from the beginning.
    await this.consumer.subscribe({ topic: Topics.GeofenceTransition, fromBeginning: true });
    await this.consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.concurrency,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    for (let i = 0; i < batch.messages.length; i += CHUNK) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + CHUNK);
      await this.handleChunk(batch.partition, chunk);
      resolveOffset(chunk[chunk.length - 1].offset);
      await heartbeat();
    }
  }

  /**
   * Decides one chunk of a partition's messages, in order; resolves when every decision is logged
   * and every send request acknowledged. Throws (so the chunk is fetched again) only on transient
   * failures and on a message still within its unexpected-failure retries.
   */
  async handleChunk(partition: number, chunk: TransitionMessage[]): Promise<void> {
    const events: Event[] = [];
    const traces = new Map<string, Record<string, string>>();
    for (const m of chunk) {
      try {
        const event = parseEvent(Topics.GeofenceTransition, m.value);
        events.push(event);
        const trace = traceOf(m);
        if (trace) traces.set(event.id, trace);
      } catch (error) {
        await this.deadLetter(partition, m, 'invalid', error);
      }
    }
    try {
      await this.decidePromotion.executeBatch(events, Date.now(), traces);
      this.consumed.inc({ topic: Topics.GeofenceTransition, outcome: 'processed' }, events.length);
    } catch (error) {
      if (classifyFailure(error) === 'transient') {
        this.consumed.inc({ topic: Topics.GeofenceTransition, outcome: 'retried' }, events.length);
        throw error;
      }
      await this.oneByOne(partition, chunk);
    }
  }

  /** After a chunk failed for no known reason: each message on its own, under the failure policy. */
  private async oneByOne(partition: number, chunk: TransitionMessage[]): Promise<void> {
    for (const m of chunk) {
      let event: Event;
      try {
        event = parseEvent(Topics.GeofenceTransition, m.value);
      } catch {
        continue; // already dead-lettered
      }
      const where = `${partition}/${m.offset}`;
      try {
        const trace = traceOf(m);
        await this.decidePromotion.executeBatch([event], Date.now(), trace ? new Map([[event.id, trace]]) : undefined);
        this.unexpected.delete(where);
        this.consumed.inc({ topic: Topics.GeofenceTransition, outcome: 'processed' });
      } catch (error) {
        const kind = classifyFailure(error);
        const attempts = (this.unexpected.get(where) ?? 0) + 1;
        if (kind === 'transient' || (kind === 'unexpected' && attempts < MAX_UNEXPECTED_ATTEMPTS)) {
          if (kind === 'unexpected') this.unexpected.set(where, attempts);
          this.consumed.inc({ topic: Topics.GeofenceTransition, outcome: 'retried' });
          throw error;
        }
        this.unexpected.delete(where);
        await this.deadLetter(partition, m, kind, error);
      }
    }
  }

  /** The original bytes to `<topic>.dlq`, the reason in headers; awaited before the offset moves on. */
  private async deadLetter(partition: number, m: TransitionMessage, kind: string, error: unknown): Promise<void> {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.logger.warn(`dead-lettering ${Topics.GeofenceTransition}/${partition}/${m.offset} (${kind}): ${reason}`);
    // deadLetterRecord keeps the original headers and cuts a value too large for the .dlq.
    await this.publisher.deadLetter(deadLetterTopic(Topics.GeofenceTransition), m, {
      'dlq-reason': kind,
      'dlq-error': reason.slice(0, 2000),
      'dlq-source-topic': Topics.GeofenceTransition,
      'dlq-source-partition': String(partition),
      'dlq-source-offset': m.offset,
      'dlq-consumer-group': this.groupId,
      'dlq-failed-at': new Date().toISOString(),
    });
    this.consumed.inc({ topic: Topics.GeofenceTransition, outcome: 'dead_lettered' });
  }

  /** Before the producer and Redis close: kafkajs lets the batch in hand finish and commit first. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
  }
}

/** The W3C trace headers a message carries, to continue its trace in the decision it causes. */
function traceOf(m: TransitionMessage): Record<string, string> | undefined {
  const trace: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const value = m.headers?.[name];
    const one = Array.isArray(value) ? value[0] : value;
    if (one !== undefined) trace[name] = one.toString();
  }
  return trace.traceparent ? trace : undefined;
}
