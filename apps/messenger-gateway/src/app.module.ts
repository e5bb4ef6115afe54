import { ChannelsModule, linkSigningKey } from '@app/channels';
import { KafkaModule, kafkaSettingsFrom } from '@app/kafka';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { DynamicModule, Module } from '@nestjs/common';
import { ApiKeyCatalogConsumer } from './api-keys/api-key-catalog.consumer';
import { ApiKeyDirectory } from './api-keys/api-key-directory';
import { ClicksController } from './clicks/clicks.controller';
import { RecordClick } from './clicks/record-click.usecase';
import type { GatewayEnv } from './env';
import { IngestAppLocation } from './locations/ingest-app-location.usecase';
import { IngestLocation } from './locations/ingest-location.usecase';
import { LocationsController } from './locations/locations.controller';
import { ShareLocationController } from './share-location/share-location.controller';
import { LINK_KEY, ShareWebLocation } from './share-location/share-web-location.usecase';
import { MessageDedupRepository } from './webhook/message-dedup.repository';
import { PUBLISH_TIMEOUT_MS, ReceiveWebhook } from './webhook/receive-webhook.usecase';
import { WEBHOOK_MAX_IN_FLIGHT, WebhookAdmission } from './webhook/webhook-admission';
import { VerifyWebhook } from './webhook/verify-webhook.usecase';
import { WebhookController } from './webhook/webhook.controller';

@Module({})
export class AppModule {
  static forRoot(env: GatewayEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          app: 'messenger-gateway',
          logLevel: env.LOG_LEVEL,
          logPretty: env.LOG_PRETTY,
          // Meta's webhooks: one per batch of events, thousands a second at peak. Failures other
          // than shedding are still logged; sheds are summarised by WebhookAdmission.
          routineRoutes: [{ method: 'POST', path: '/webhooks/messenger' }],
        }),
        KafkaModule.forRoot(kafkaSettingsFrom(env), 'messenger-gateway'),
        RedisModule.forRoot(env.REDIS_URL),
        ChannelsModule.forRoot({ keys: env.SECRETS_KEYS, activeKid: env.SECRETS_ACTIVE_KID }),
      ],
      controllers: [WebhookController, ShareLocationController, LocationsController, ClicksController],
      providers: [
        { provide: PUBLISH_TIMEOUT_MS, useValue: env.WEBHOOK_PUBLISH_TIMEOUT_MS },
        { provide: WEBHOOK_MAX_IN_FLIGHT, useValue: env.WEBHOOK_MAX_IN_FLIGHT },
        WebhookAdmission,
        { provide: LINK_KEY, useValue: linkSigningKey(env.LINK_SIGNING_KEY, env.SECRETS_KEYS, env.SECRETS_ACTIVE_KID) },
        MessageDedupRepository,
        ReceiveWebhook,
        VerifyWebhook,
        ApiKeyDirectory,
        ApiKeyCatalogConsumer,
        IngestLocation,
        IngestAppLocation,
        ShareWebLocation,
        RecordClick,
      ],
    };
  }
}
