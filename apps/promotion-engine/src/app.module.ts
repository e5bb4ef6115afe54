import { KafkaModule } from '@app/kafka';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { DynamicModule, Module } from '@nestjs/common';
import { CatalogConsumer } from './catalog/catalog.consumer';
import { CatalogRepository } from './catalog/catalog.repository';
import { DecidePromotion, ENGINE_POLICY, EnginePolicy } from './decisions/decide-promotion.usecase';
import { DecisionLogRepository } from './decisions/decision-log.repository';
import { TransitionsConsumer } from './decisions/transitions.consumer';
import type { EngineEnv } from './env';
import { InteractionsConsumer } from './shoppers/interactions.consumer';
import { ShopperStateRepository } from './shoppers/shopper-state.repository';

@Module({})
export class AppModule {
  static forRoot(env: EngineEnv): DynamicModule {
    const policy: EnginePolicy = {
      windowHours: env.MESSAGING_WINDOW_HOURS,
      sendRequestTtlSeconds: env.SEND_REQUEST_TTL_SECONDS,
      defaultLocale: env.DEFAULT_LOCALE,
    };
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'promotion-engine', logLevel: env.LOG_LEVEL, logPretty: env.LOG_PRETTY }),
        KafkaModule.forRoot({ brokers: env.KAFKA_BROKERS, groupPrefix: env.KAFKA_GROUP_PREFIX }, 'promotion-engine'),
        RedisModule.forRoot(env.REDIS_URL),
      ],
      controllers: [CatalogConsumer, InteractionsConsumer, TransitionsConsumer],
      providers: [
        { provide: ENGINE_POLICY, useValue: policy },
        CatalogRepository,
        ShopperStateRepository,
        DecisionLogRepository,
        DecidePromotion,
      ],
    };
  }
}
