import { Topics, parseEvent } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings, tracesByEventId } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { OfferCatalogConsumer } from '../dwell/offer-catalog.consumer';
import { StoreCatalogConsumer } from '../store-index/store-catalog.consumer';
import { EvaluateLocations } from './evaluate-location.usecase';

export const LOCATION_PARTITIONS_CONCURRENTLY = Symbol('LOCATION_PARTITIONS_CONCURRENTLY');

/**
 * shopper.location.v1 in batches (libs/kafka KafkaBatchConsumer, group `geofence-locations`).
 * Nest's Kafka transport hands over one message at a time (../shared/KAFKA.md), which caps
 * throughput at one Redis round trip per message; here chunks of 500 of a partition's messages go
 * to one EvaluateLocations call: one set of Redis pipelines and one produce request. Order per
 * shopper holds: a shopper's events share a partition and the use case evaluates them in order.
 */
@Injectable()
export class LocationsBatchConsumer extends BatchConsumerService<ReturnType<typeof parseEvent<typeof Topics.ShopperLocation>>> {
  constructor(
    evaluateLocations: EvaluateLocations,
    private readonly catalog: StoreCatalogConsumer,
    private readonly offers: OfferCatalogConsumer,
    publisher: EventPublisher,
    @Inject(KAFKA_SETTINGS) settings: KafkaSettings,
    @Inject(LOCATION_PARTITIONS_CONCURRENTLY) concurrency: number,
    health: HealthRegistry,
    metrics: Metrics,
  ) {
    super(
      {
        topic: Topics.ShopperLocation,
        groupId: 'geofence-locations',
        healthCheck: 'locations-consumer',
        partitionsConsumedConcurrently: concurrency,
        // Fixes older than MAX_FIX_AGE_SECONDS are dropped anyway: replaying a week of them would
        // only delay the first live one.
        fromBeginning: false,
        // A location event is about 400 bytes: up to ~650 per partition and fetch, enough for
        // full pipelines; an idle topic still answers at once (minBytes 1). Bounded so that a
        // backlog's fetch (kept decoded until its last chunk is done) leaves room in the
        // geofence's 120 MB heap (scripts/app-node-options.json; BENCHMARKS.md, "Memory"): with
        // 512 KiB per partition and 4 MiB per fetch the geofence peaked at 208 MB RSS once the
        // gateway took 1,000 shares/s and a backlog of 29,000 fixes built up (make bench, 13:18).
        fetch: { maxBytesPerPartition: 2 ** 18, maxBytes: 2 * 2 ** 20 },
        parse: (m) => parseEvent(Topics.ShopperLocation, m.value),
        handle: (chunk) => evaluateLocations.execute(chunk.map((c) => c.event), Date.now(), tracesByEventId(chunk)),
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }

  /** After the store index and the dwell thresholds are built: half-built ones would miss visits and dwells. */
  protected override async start(): Promise<void> {
    await Promise.all([this.catalog.built, this.offers.built]);
    await super.start();
  }
}
