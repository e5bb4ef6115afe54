import { SecretBox } from '@app/config';
import { ENTITIES, dataSourceOptions } from '@app/database';
import { KafkaModule, kafkaSettingsFrom } from '@app/kafka';
import { HealthRegistry, ObservabilityModule } from '@app/observability';
import { REDIS, Redis, RedisModule } from '@app/redis';
import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ADMIN_TOKEN, AdminGuard } from './auth/admin.guard';
import { ApiKeyRepository } from './auth/api-key.repository';
import { BrandAuthGuard } from './auth/brand-auth.guard';
import { BrandRepository } from './brands/brand.repository';
import { BrandsController } from './brands/brands.controller';
import { SettingsController } from './brands/settings.controller';
import { UpdateBrandSettings } from './brands/update-brand-settings.usecase';
import { CreateBrand } from './brands/create-brand.usecase';
import { ChannelRepository } from './channels/channel.repository';
import { ChannelsController } from './channels/channels.controller';
import { ConnectChannel } from './channels/connect-channel.usecase';
import { DisconnectChannel } from './channels/disconnect-channel.usecase';
import { Clock } from './common/clock';
import { DecisionLogReader } from './decisions/decision-log.reader';
import { DecisionsController } from './decisions/decisions.controller';
import { ExplainDecisions } from './decisions/explain-decisions.usecase';
import type { BrandApiEnv } from './env';
import { KeysController } from './keys/keys.controller';
import { CreateApiKey, RevokeApiKey } from './keys/manage-keys.usecase';
import { CreateOffer } from './offers/create-offer.usecase';
import { DeleteOffer } from './offers/delete-offer.usecase';
import { OfferRepository } from './offers/offer.repository';
import { OffersController } from './offers/offers.controller';
import { UpdateOffer } from './offers/update-offer.usecase';
import { OUTBOX_POLL_MS, OutboxRelay } from './outbox/outbox-relay.service';
import { OutboxRepository } from './outbox/outbox.repository';
import { OutboxWriter } from './outbox/outbox-writer';
import { RepublishCatalog } from './outbox/republish-catalog.usecase';
import { TransactionRunner } from './persistence/transaction-runner';
import { ANALYZE_CHECK_MS, PlannerStatistics } from './persistence/planner-statistics';
import { EraseShopper } from './shoppers/erase-shopper.usecase';
import { SetShopperTags } from './shoppers/set-shopper-tags.usecase';
import { ShoppersController } from './shoppers/shoppers.controller';
import { DeliveryRepository } from './stats/delivery.repository';
import { GetOfferStats } from './stats/get-offer-stats.usecase';
import { GetOfferTimeseries } from './stats/get-offer-timeseries.usecase';
import { OfferTimeseriesController } from './stats/offer-timeseries.controller';
import { OfferTimeseriesRepository } from './stats/offer-timeseries.repository';
import { RecordDeliveryStatus, RecordShopperReceipt } from './stats/record-delivery.usecase';
import { StatsConsumer } from './stats/stats.consumer';
import { ReceiptsConsumer } from './stats/receipts.consumer';
import { CreateStore } from './stores/create-store.usecase';
import { DeleteStore } from './stores/delete-store.usecase';
import { ImportStores } from './stores/import-stores.usecase';
import { StoreRepository } from './stores/store.repository';
import { StoresController } from './stores/stores.controller';
import { UpdateStore } from './stores/update-store.usecase';
import { ApiKeyThrottlerGuard } from './throttle/api-key-throttler.guard';
import { RedisThrottlerStorage } from './throttle/redis-throttler.storage';

@Injectable()
class DatabaseHealth implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register('postgres', async () => {
      await this.dataSource.query('SELECT 1');
      return true;
    });
  }
}

@Module({})
export class AppModule {
  static forRoot(env: BrandApiEnv): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ app: 'brand-api', logLevel: env.LOG_LEVEL, logPretty: env.LOG_PRETTY }),
        KafkaModule.forRoot(kafkaSettingsFrom(env), 'brand-api'),
        RedisModule.forRoot(env.REDIS_URL),
        TypeOrmModule.forRoot(dataSourceOptions(env.DATABASE_URL)),
        TypeOrmModule.forFeature(ENTITIES),
        ThrottlerModule.forRootAsync({
          inject: [REDIS],
          useFactory: (redis: Redis) => ({
            throttlers: [{ name: 'default', ttl: env.RATE_LIMIT_WINDOW_SECONDS * 1000, limit: env.RATE_LIMIT_REQUESTS }],
            storage: new RedisThrottlerStorage(redis),
          }),
        }),
      ],
      controllers: [
        BrandsController,
        SettingsController,
        KeysController,
        ChannelsController,
        StoresController,
        OffersController,
        OfferTimeseriesController,
        DecisionsController,
        ShoppersController,
      ],
      providers: [
        { provide: ADMIN_TOKEN, useValue: env.ADMIN_TOKEN },
        { provide: OUTBOX_POLL_MS, useValue: env.OUTBOX_POLL_MS },
        { provide: ANALYZE_CHECK_MS, useValue: env.ANALYZE_CHECK_MS },
        { provide: SecretBox, useValue: SecretBox.fromEnv(env.SECRETS_KEYS, env.SECRETS_ACTIVE_KID) },
        { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
        Clock,
        DatabaseHealth,
        TransactionRunner,
        PlannerStatistics,
        AdminGuard,
        BrandAuthGuard,
        ApiKeyRepository,
        BrandRepository,
        ChannelRepository,
        StoreRepository,
        OfferRepository,
        OutboxRepository,
        DeliveryRepository,
        DecisionLogReader,
        OutboxRelay,
        OutboxWriter,
        CreateBrand,
        UpdateBrandSettings,
        CreateApiKey,
        RevokeApiKey,
        ConnectChannel,
        DisconnectChannel,
        CreateStore,
        UpdateStore,
        DeleteStore,
        ImportStores,
        CreateOffer,
        UpdateOffer,
        DeleteOffer,
        GetOfferStats,
        GetOfferTimeseries,
        OfferTimeseriesRepository,
        RecordDeliveryStatus,
        RecordShopperReceipt,
        ReceiptsConsumer,
        StatsConsumer,
        ExplainDecisions,
        EraseShopper,
        SetShopperTags,
        RepublishCatalog,
      ],
    };
  }
}
