import { ChannelsModule } from '@app/channels';
import { KafkaModule } from '@app/kafka';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { DynamicModule, Module } from '@nestjs/common';
import type { DeliveryEnv } from './env';
import { DeliverPromotion, MAX_ATTEMPTS } from './sending/deliver-promotion.usecase';
import { SEND_API_SETTINGS, SendApiClient } from './sending/send-api.client';
import { SendLedgerRepository } from './sending/send-ledger.repository';
import { SendRequestsConsumer } from './sending/send-requests.consumer';

@Module({})
export class AppModule {
  static forRoot(env: DeliveryEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'messenger-delivery', logLevel: env.LOG_LEVEL, logPretty: env.LOG_PRETTY }),
        KafkaModule.forRoot({ brokers: env.KAFKA_BROKERS, groupPrefix: env.KAFKA_GROUP_PREFIX }, 'messenger-delivery'),
        RedisModule.forRoot(env.REDIS_URL),
        ChannelsModule.forRoot({ keys: env.SECRETS_KEYS, activeKid: env.SECRETS_ACTIVE_KID }),
      ],
      controllers: [SendRequestsConsumer],
      providers: [
        { provide: SEND_API_SETTINGS, useValue: { baseUrl: env.GRAPH_API_URL, version: env.GRAPH_API_VERSION, timeoutMs: env.SEND_TIMEOUT_MS } },
        { provide: MAX_ATTEMPTS, useValue: env.SEND_MAX_ATTEMPTS },
        SendApiClient,
        SendLedgerRepository,
        DeliverPromotion,
      ],
    };
  }
}
