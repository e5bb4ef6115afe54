import { KafkaModule, kafkaSettingsFrom } from '@app/kafka';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { DynamicModule, Module } from '@nestjs/common';
import type { GeofenceEnv } from './env';
import { EraseShopper } from './erasure/erase-shopper.usecase';
import { ErasureConsumer } from './erasure/erasure.consumer';
import { EMITTED_BY, EvaluateLocations, GEOFENCE_POLICY, GeofencePolicy } from './locations/evaluate-location.usecase';
import { LOCATION_PARTITIONS_CONCURRENTLY, LocationsBatchConsumer } from './locations/locations-batch.consumer';
import { VisitStateRepository } from './locations/visit-state.repository';
import { ApplyOfferEvent } from './dwell/apply-offer-event.usecase';
import { DwellThresholdRepository } from './dwell/dwell-threshold.repository';
import { OfferCatalogConsumer } from './dwell/offer-catalog.consumer';
import { ApplyStoreEvent } from './store-index/apply-store-event.usecase';
import { STORE_CACHE_BYTES, StoreIndexRepository } from './store-index/store-index.repository';
import { StoreCatalogConsumer } from './store-index/store-catalog.consumer';
import { ExpireVisits } from './visits/expire-visits.usecase';
import { SWEEP_INTERVAL_MS, VisitSweeper } from './visits/visit-sweeper.service';

export function geofencePolicy(env: GeofenceEnv): GeofencePolicy {
  return {
    maxAccuracyM: env.MAX_ACCURACY_M,
    maxFixAgeSeconds: env.MAX_FIX_AGE_SECONDS,
    maxSpeedKmh: env.MAX_SPEED_KMH,
    exitHysteresisM: env.EXIT_HYSTERESIS_M,
    stateTtlSeconds: env.STATE_TTL_SECONDS,
  };
}

@Module({})
export class AppModule {
  static forRoot(env: GeofenceEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'geofence', logLevel: env.LOG_LEVEL, logPretty: env.LOG_PRETTY }),
        KafkaModule.forRoot(kafkaSettingsFrom(env), 'geofence'),
        RedisModule.forRoot(env.REDIS_URL),
      ],
      controllers: [ErasureConsumer],
      providers: [
        { provide: GEOFENCE_POLICY, useValue: geofencePolicy(env) },
        { provide: EMITTED_BY, useValue: `${env.KAFKA_GROUP_PREFIX}geofence` },
        { provide: STORE_CACHE_BYTES, useValue: env.STORE_CACHE_MB * 2 ** 20 },
        { provide: SWEEP_INTERVAL_MS, useValue: env.VISIT_SWEEP_INTERVAL_MS },
        { provide: LOCATION_PARTITIONS_CONCURRENTLY, useValue: env.LOCATION_PARTITIONS_CONCURRENTLY },
        StoreIndexRepository,
        VisitStateRepository,
        ApplyStoreEvent,
        StoreCatalogConsumer,
        DwellThresholdRepository,
        ApplyOfferEvent,
        OfferCatalogConsumer,
        EvaluateLocations,
        LocationsBatchConsumer,
        ExpireVisits,
        VisitSweeper,
        EraseShopper,
      ],
    };
  }
}
