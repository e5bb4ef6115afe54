import { Topics, parseEvent } from '@app/contracts';
import { KAFKA_SETTINGS, KafkaSettings, classifyFailure, kafkaServerOptions } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { Consumer, EachBatchPayload, Kafka, KafkaMessage, Partitioners, Producer } from 'kafkajs';
import { deadLetter } from '../kafka/dead-letters';
import { OfferCatalogConsumer } from '../dwell/offer-catalog.consumer';
import { StoreCatalogConsumer } from '../store-index/store-catalog.consumer';
import { EvaluateLocations } from './evaluate-location.usecase';

/** Messages evaluated together: one set of Redis pipelines and one produce request. */
const CHUNK = 500;
/** A message failing unexpectedly this many times is dead-lettered (the failure policy's rule). */
const MAX_UNEXPECTED_ATTEMPTS = 5;

export const LOCATION_PARTITIONS_CONCURRENTLY = Symbol('LOCATION_PARTITIONS_CONCURRENTLY');

type Event = ReturnType<typeof parseEvent<typeof Topics.ShopperLocation>>;

/**
 * shopper.location.v1 in batches. Nest's Kafka transport hands over one message at a time
 * (../shared/KAFKA.md), which caps throughput at one Redis round trip per message; this consumer
 * runs kafkajs's eachBatch instead, in its own group, and hands chunks of a partition's batch to
 * one use case call. Order per shopper holds: a shopper's events share a partition and the use
 * case evaluates them in order. Failures follow libs/kafka's policy: invalid events go to the
 * `.dlq` at once; transient failures make kafkajs fetch the batch again from the last resolved
 * offset; anything else is retried message by message, then dead-lettered.
 */
@Injectable()
export class LocationsBatchConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(LocationsBatchConsumer.name);
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly groupId: string;
  private readonly producer: Producer;
  private readonly consumed;
  private readonly unexpected = new Map<string, number>();
  private joined = false;

  constructor(
    private readonly evaluateLocations: EvaluateLocations,
    private readonly catalog: StoreCatalogConsumer,
    private readonly offers: OfferCatalogConsumer,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    @Inject(LOCATION_PARTITIONS_CONCURRENTLY) private readonly concurrency: number,
    health: HealthRegistry,
    metrics: Metrics,
  ) {
    const options = kafkaServerOptions(settings, 'geofence-locations');
    this.groupId = options.consumer?.groupId ?? 'geofence-locations';
    this.kafka = new Kafka(options.client as ConstructorParameters<typeof Kafka>[0]);
    // Large fetches (a location event is about 400 bytes: up to ~10,000 per partition and fetch):
    // fewer fetch round trips while a backlog drains; an idle topic still answers at once (minBytes 1).
    this.consumer = this.kafka.consumer({
      ...(options.consumer as Parameters<Kafka['consumer']>[0]),
      maxBytesPerPartition: 4 * 2 ** 20,
      maxBytes: 24 * 2 ** 20,
    });
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.consumed = metrics.counter('kafka_events_consumed_total', 'Kafka events handled, by topic and outcome', ['topic', 'outcome']);
    health.register('locations-consumer', () => this.joined);
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    this.consumer.on(this.consumer.events.CRASH, () => (this.joined = false));
    this.consumer.on(this.consumer.events.STOP, () => (this.joined = false));
  }

  /**
   * Starts after the store index and the dwell thresholds are built: evaluating against half-built
   * projections would miss visits and dwells.
   */
  onApplicationBootstrap(): void {
    void this.start().catch((error: unknown) => {
      this.logger.error(`locations consumer failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  private async start(): Promise<void> {
    await Promise.all([this.catalog.built, this.offers.built]);
    await this.producer.connect();
    await this.consumer.connect();
    // A new group starts at the end of the topic: fixes older than MAX_FIX_AGE_SECONDS are dropped
    // anyway, so replaying a week of them would only delay the first live one.
    await this.consumer.subscribe({ topic: Topics.ShopperLocation, fromBeginning: false });
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
      const events: Event[] = [];
      const traces = new Map<string, Record<string, string>>();
      for (const m of chunk) {
        try {
          const event = parseEvent(Topics.ShopperLocation, m.value);
          events.push(event);
          const trace = traceOf(m);
          if (trace) traces.set(event.id, trace);
        } catch (error) {
          await this.deadLetter(batch.partition, m, 'invalid', error);
        }
      }
      try {
        await this.evaluateLocations.execute(events, Date.now(), traces);
        this.consumed.inc({ topic: batch.topic, outcome: 'processed' }, events.length);
      } catch (error) {
        if (classifyFailure(error) === 'transient') {
          this.consumed.inc({ topic: batch.topic, outcome: 'retried' }, events.length);
          throw error;
        }
        await this.oneByOne(batch.partition, chunk);
      }
      resolveOffset(chunk[chunk.length - 1].offset);
      await heartbeat();
    }
  }

  /** After a chunk failed for no known reason: each message on its own, under the failure policy. */
  private async oneByOne(partition: number, chunk: KafkaMessage[]): Promise<void> {
    for (const m of chunk) {
      let event: Event;
      try {
        event = parseEvent(Topics.ShopperLocation, m.value);
      } catch {
        continue; // already dead-lettered
      }
      const where = `${partition}/${m.offset}`;
      try {
        const trace = traceOf(m);
        await this.evaluateLocations.execute([event], Date.now(), trace ? new Map([[event.id, trace]]) : new Map());
        this.unexpected.delete(where);
        this.consumed.inc({ topic: Topics.ShopperLocation, outcome: 'processed' });
      } catch (error) {
        const kind = classifyFailure(error);
        const attempts = (this.unexpected.get(where) ?? 0) + 1;
        if (kind === 'transient' || (kind === 'unexpected' && attempts < MAX_UNEXPECTED_ATTEMPTS)) {
          if (kind === 'unexpected') this.unexpected.set(where, attempts);
          this.consumed.inc({ topic: Topics.ShopperLocation, outcome: 'retried' });
          throw error;
        }
        this.unexpected.delete(where);
        await this.deadLetter(partition, m, kind, error);
      }
    }
  }

  private async deadLetter(partition: number, m: KafkaMessage, kind: string, error: unknown): Promise<void> {
    await deadLetter(this.producer, this.logger, { topic: Topics.ShopperLocation, partition, message: m, group: this.groupId }, kind, error);
    this.consumed.inc({ topic: Topics.ShopperLocation, outcome: 'dead_lettered' });
  }

  /** Stops fetching and finishes the batch in hand while Redis and the producers are still open. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}

/** The W3C trace headers a message carries, to continue its trace in what it causes. */
function traceOf(m: KafkaMessage): Record<string, string> | undefined {
  const trace: Record<string, string> = {};
  for (const name of ['traceparent', 'tracestate']) {
    const value = m.headers?.[name];
    const one = Array.isArray(value) ? value[0] : value;
    if (one !== undefined) trace[name] = one.toString();
  }
  return trace.traceparent ? trace : undefined;
}
