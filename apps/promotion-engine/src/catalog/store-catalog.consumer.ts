import { Topics, parseCatalogRecord } from '@app/contracts';
import { EventPublisher, KAFKA_SETTINGS, KafkaSettings } from '@app/kafka';
import { BatchConsumerService, HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable } from '@nestjs/common';
import { CatalogRepository } from './catalog.repository';

/**
 * catalog.store.v1 into the engine's projection, in batches (group `promotion-engine-stores`):
 * a brand importing 10,000 stores publishes 10,000 events at once, which Nest's
 * one-message-at-a-time transport turned into 10,000 handler pipelines and Redis round trips
 * (about 0.5 ms of CPU each). Here a chunk of 500 is one Redis pipeline. Tombstones arrive as
 * `store.deleted`; invalid records go to the `.dlq`.
 */
@Injectable()
export class StoreCatalogConsumer extends BatchConsumerService<ReturnType<typeof parseCatalogRecord<typeof Topics.StoreCatalog>>> {
  constructor(catalog: CatalogRepository, publisher: EventPublisher, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    super(
      {
        topic: Topics.StoreCatalog,
        groupId: 'promotion-engine-stores',
        healthCheck: 'store-catalog-consumer',
        parse: (m) => parseCatalogRecord(Topics.StoreCatalog, m),
        handle: (chunk) => catalog.applyStores(chunk.map((c) => c.event)),
      },
      settings,
      publisher,
      health,
      metrics,
    );
  }
}
