import { Topics } from '@app/contracts';
import { KAFKA_SETTINGS, KafkaSettings } from '@app/kafka';
import { HealthRegistry, Metrics } from '@app/observability';
import { Inject, Injectable, Logger, OnApplicationBootstrap, BeforeApplicationShutdown } from '@nestjs/common';
import { CompactedProjectionConsumer } from '../kafka/compacted-projection';
import { ApplyOfferEvent } from './apply-offer-event.usecase';
import { DwellThresholdRepository } from './dwell-threshold.repository';

/**
 * Keeps the dwell thresholds current from the compacted catalog.offer.v1, and rebuilds them when
 * Redis has none (group `<prefix>geofence-offers`; see CompactedProjectionConsumer). Evaluation
 * waits for `built`, and /health reports `dwell-thresholds` down until then. Tombstones remove
 * their offer.
 */
@Injectable()
export class OfferCatalogConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(OfferCatalogConsumer.name);
  private readonly projection: CompactedProjectionConsumer<typeof Topics.OfferCatalog>;
  private ready = false;
  /** Resolves once the projection holds the whole offer catalog. */
  readonly built: Promise<void>;

  constructor(thresholds: DwellThresholdRepository, applyOfferEvent: ApplyOfferEvent, @Inject(KAFKA_SETTINGS) settings: KafkaSettings, health: HealthRegistry, metrics: Metrics) {
    this.projection = new CompactedProjectionConsumer(
      {
        topic: Topics.OfferCatalog,
        group: 'geofence-offers',
        isBuilt: () => thresholds.isBuilt(),
        markBuilt: (at) => thresholds.markBuilt(at),
        apply: (event) => applyOfferEvent.execute(event),
      },
      settings,
      this.logger,
      metrics,
    );
    this.built = this.projection.built;
    health.register('dwell-thresholds', () => this.ready);
    void this.built.then(() => (this.ready = true));
  }

  onApplicationBootstrap(): void {
    void this.projection.start().catch((error: unknown) => {
      this.logger.error(`offer catalog consumer failed to start: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.projection.stop();
  }
}
