import { ChannelsModule } from '@app/channels';
import { KafkaModule } from '@app/kafka';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { DynamicModule, Module } from '@nestjs/common';
import type { GatewayEnv } from './env';
import { MessageDedupRepository } from './webhook/message-dedup.repository';
import { PUBLISH_TIMEOUT_MS, ReceiveWebhook } from './webhook/receive-webhook.usecase';
import { VerifyWebhook } from './webhook/verify-webhook.usecase';
import { WebhookController } from './webhook/webhook.controller';

@Module({})
export class AppModule {
  static forRoot(env: GatewayEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'messenger-gateway', logLevel: env.LOG_LEVEL, logPretty: env.LOG_PRETTY }),
        KafkaModule.forRoot({ brokers: env.KAFKA_BROKERS, groupPrefix: env.KAFKA_GROUP_PREFIX }, 'messenger-gateway'),
        RedisModule.forRoot(env.REDIS_URL),
        ChannelsModule.forRoot({ keys: env.SECRETS_KEYS, activeKid: env.SECRETS_ACTIVE_KID }),
      ],
      controllers: [WebhookController],
      providers: [
        { provide: PUBLISH_TIMEOUT_MS, useValue: env.WEBHOOK_PUBLISH_TIMEOUT_MS },
        MessageDedupRepository,
        ReceiveWebhook,
        VerifyWebhook,
      ],
    };
  }
}
