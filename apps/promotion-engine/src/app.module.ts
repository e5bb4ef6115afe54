import { KafkaModule, kafkaSettingsFrom } from '@app/kafka';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { DynamicModule, Module } from '@nestjs/common';
import { CatalogConsumer } from './catalog/catalog.consumer';
import { CatalogRepository } from './catalog/catalog.repository';
import { CapsRepository } from './decisions/caps.repository';
import { DecidePromotion } from './decisions/decide-promotion.usecase';
import { DecisionLogRepository } from './decisions/decision-log.repository';
import { DeliveryStatusConsumer } from './decisions/delivery-status.consumer';
import { SettleReservation } from './decisions/settle-reservation.usecase';
import { StoreCatalogConsumer } from './catalog/store-catalog.consumer';
import { TRANSITION_PARTITIONS_CONCURRENTLY, TransitionsBatchConsumer } from './decisions/transitions-batch.consumer';
import { ENGINE_POLICY, EnginePolicy } from './engine-policy';
import type { EngineEnv } from './env';
import { InterestProfileRepository } from './interests/interest-profile.repository';
import { EraseShopper } from './shoppers/erase-shopper.usecase';
import { ErasureConsumer } from './shoppers/erasure.consumer';
import { InteractionsConsumer } from './shoppers/interactions.consumer';
import { RecordInteraction } from './shoppers/record-interaction.usecase';
import { ShopperStateRepository } from './shoppers/shopper-state.repository';
import { ShopperTagsConsumer } from './shoppers/shopper-tags.consumer';

const DAY_MS = 24 * 3600 * 1000;

export function enginePolicyOf(env: EngineEnv): EnginePolicy {
  return {
    windowHours: env.MESSAGING_WINDOW_HOURS,
    sendRequestTtlSeconds: env.SEND_REQUEST_TTL_SECONDS,
    defaultLocale: env.DEFAULT_LOCALE,
    defaultQuietHours: env.QUIET_HOURS,
    interestDecay: { halfLifeMs: env.INTEREST_HALF_LIFE_DAYS * DAY_MS, floor: 0.01 },
    interestTtlSeconds: Math.round(env.INTEREST_TTL_DAYS * 24 * 3600),
    interestThreshold: env.INTEREST_THRESHOLD,
  };
}

@Module({})
export class AppModule {
  static forRoot(env: EngineEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'promotion-engine', logLevel: env.LOG_LEVEL, logPretty: env.LOG_PRETTY }),
        KafkaModule.forRoot(kafkaSettingsFrom(env), 'promotion-engine'),
        RedisModule.forRoot(env.REDIS_URL),
      ],
      controllers: [CatalogConsumer, ShopperTagsConsumer, ErasureConsumer],
      providers: [
        { provide: ENGINE_POLICY, useValue: enginePolicyOf(env) },
        CatalogRepository,
        ShopperStateRepository,
        InterestProfileRepository,
        CapsRepository,
        DecisionLogRepository,
        DecidePromotion,
        { provide: TRANSITION_PARTITIONS_CONCURRENTLY, useValue: env.TRANSITION_PARTITIONS_CONCURRENTLY },
        TransitionsBatchConsumer,
        StoreCatalogConsumer,
        InteractionsConsumer,
        DeliveryStatusConsumer,
        SettleReservation,
        RecordInteraction,
        EraseShopper,
      ],
    };
  }
}
