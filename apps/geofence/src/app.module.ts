import { KafkaModule } from '@app/kafka';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { DynamicModule, Module } from '@nestjs/common';
import type { GeofenceEnv } from './env';
import { EvaluateLocation, GEOFENCE_POLICY, GeofencePolicy } from './locations/evaluate-location.usecase';
import { LocationsConsumer } from './locations/locations.consumer';
import { VisitStateRepository } from './locations/visit-state.repository';
import { StoreIndexRepository } from './store-index/store-index.repository';
import { StoresConsumer } from './store-index/stores.consumer';

@Module({})
export class AppModule {
  static forRoot(env: GeofenceEnv): DynamicModule {
    const policy: GeofencePolicy = {
      maxAccuracyM: env.MAX_ACCURACY_M,
      maxFixAgeSeconds: env.MAX_FIX_AGE_SECONDS,
      maxSpeedKmh: env.MAX_SPEED_KMH,
      exitHysteresisM: env.EXIT_HYSTERESIS_M,
      stateTtlSeconds: env.STATE_TTL_SECONDS,
    };
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'geofence', logLevel: env.LOG_LEVEL, logPretty: env.LOG_PRETTY }),
        KafkaModule.forRoot({ brokers: env.KAFKA_BROKERS, groupPrefix: env.KAFKA_GROUP_PREFIX }, 'geofence'),
        RedisModule.forRoot(env.REDIS_URL),
      ],
      controllers: [StoresConsumer, LocationsConsumer],
      providers: [{ provide: GEOFENCE_POLICY, useValue: policy }, StoreIndexRepository, VisitStateRepository, EvaluateLocation],
    };
  }
}
