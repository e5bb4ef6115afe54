import { Topics } from '@app/contracts';
import { KAFKA_SETTINGS, KafkaSettings } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { CompactedProjectionConsumer } from '../kafka/compacted-projection';
import { ApplyStoreEvent } from './apply-store-event.usecase';
import { StoreIndexRepository } from './store-index.repository';

/**
 * Keeps the index current from the compacted catalog.store.v1, and rebuilds it when it is empty
 * (group `<prefix>geofence-catalog`; see CompactedProjectionConsumer). Evaluation waits for
 * `built`, and /health reports `store-index` down until then. Tombstones remove their store.
 */
@Injectable()
export class StoreCatalogConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(StoreCatalogConsumer.name);
  private readonly projection: CompactedProjectionConsumer<typeof Topics.StoreCatalog>;
  private ready = false;
  /** Resolves once the index holds the whole catalog. */
  readonly built: Promise<void>;

  constructor(index: StoreIndexRepository, applyStoreEvent: ApplyStoreEvent, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    this.projection = new CompactedProjectionConsumer(
      {
        topic: Topics.StoreCatalog,
        group: 'geofence-catalog',
        isBuilt: () => index.isBuilt(),
        markBuilt: (at) => index.markBuilt(at),
        apply: (event) => applyStoreEvent.execute(event),
        // A brand's import arrives as thousands of events: two Redis round trips per chunk.
        applyBatch: (events) => applyStoreEvent.executeBatch(events),
      },
      settings,
      this.logger,
      metrics,
    );
    this.built = this.projection.built;
    health.register('store-index', () => this.ready);
    void this.built.then(() => (this.ready = true));
  }

  onApplicationBootstrap(): void {
    void this.projection.start().catch((error: unknown) => {
      this.logger.error(`store catalog consumer failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.projection.stop();
  }
}
