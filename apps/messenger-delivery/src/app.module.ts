import { ChannelsModule, linkSigningKey } from '@app/channels';
import { KafkaModule, kafkaSettingsFrom } from '@app/kafka';
import { ObservabilityModule } from '@app/observability';
import { RedisModule } from '@app/redis';
import { DynamicModule, Module } from '@nestjs/common';
import type { DeliveryEnv } from './env';
import { InteractionsConsumer } from './replies/interactions.consumer';
import { REPLY_SETTINGS, SendReply } from './replies/send-reply.usecase';
import { RetryTopicsConsumer } from './retries/retry-topics.consumer';
import { DELIVERY_SETTINGS, DeliverPromotion } from './sending/deliver-promotion.usecase';
import { PacedSendApi, RATE_SETTINGS } from './sending/paced-send-api';
import { PageChannels } from './sending/page-channels';
import { PageHealthRepository } from './sending/page-health.repository';
import { PageRateLimiterRepository } from './sending/page-rate-limiter.repository';
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
        KafkaModule.forRoot(kafkaSettingsFrom(env), 'messenger-delivery'),
        RedisModule.forRoot(env.REDIS_URL),
        ChannelsModule.forRoot({ keys: env.SECRETS_KEYS, activeKid: env.SECRETS_ACTIVE_KID }),
      ],
      controllers: [],
      providers: [
        { provide: SEND_API_SETTINGS, useValue: { baseUrl: env.GRAPH_API_URL, version: env.GRAPH_API_VERSION, timeoutMs: env.SEND_TIMEOUT_MS } },
        {
          provide: RATE_SETTINGS,
          useValue: { perSecond: env.PAGE_SEND_RATE_PER_SECOND, burst: env.PAGE_SEND_BURST, slowFactor: 0.25, slowForMs: 30_000 },
        },
        {
          provide: DELIVERY_SETTINGS,
          useValue: {
            gatewayPublicUrl: env.GATEWAY_PUBLIC_URL.replace(/\/+$/, ''),
            linkKey: linkSigningKey(env.LINK_SIGNING_KEY, env.SECRETS_KEYS, env.SECRETS_ACTIVE_KID),
            unreachableForMs: 24 * 3600_000,
            restrictedPauseMs: 10 * 60_000,
            interruptedAfterMs: 2 * env.SEND_TIMEOUT_MS + 5_000,
            maxAttempts: env.SEND_MAX_ATTEMPTS,
            retryDelaysMs: env.SEND_RETRY_DELAYS_MS,
          },
        },
        { provide: REPLY_SETTINGS, useValue: { defaultLang: env.DEFAULT_LOCALE, maxReplyDelayMs: 60_000 } },
        SendApiClient,
        SendLedgerRepository,
        PageRateLimiterRepository,
        PageHealthRepository,
        PacedSendApi,
        PageChannels,
        DeliverPromotion,
        SendReply,
        RetryTopicsConsumer,
        InteractionsConsumer,
        SendRequestsConsumer,
      ],
    };
  }
}
