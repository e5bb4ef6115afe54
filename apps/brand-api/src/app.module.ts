import { SecretBox } from '@app/config';
import { ENTITIES, dataSourceOptions } from '@app/database';
import { KafkaModule } from '@app/kafka';
import { HealthRegistry, ObservabilityModule } from '@app/observability';
import { DynamicModule, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ADMIN_TOKEN, AdminGuard } from './auth/admin.guard';
import { ApiKeyRepository } from './auth/api-key.repository';
import { BrandAuthGuard } from './auth/brand-auth.guard';
import { BrandRepository } from './brands/brand.repository';
import { BrandsController } from './brands/brands.controller';
import { CreateBrand } from './brands/create-brand.usecase';
import { ChannelRepository } from './channels/channel.repository';
import { ChannelsController } from './channels/channels.controller';
import { ConnectChannel } from './channels/connect-channel.usecase';
import type { BrandApiEnv } from './env';
import { CreateOffer } from './offers/create-offer.usecase';
import { OfferRepository } from './offers/offer.repository';
import { OffersController } from './offers/offers.controller';
import { OUTBOX_POLL_MS, OutboxRelay } from './outbox/outbox-relay.service';
import { OutboxRepository } from './outbox/outbox.repository';
import { TransactionRunner } from './persistence/transaction-runner';
import { CreateStore } from './stores/create-store.usecase';
import { StoreRepository } from './stores/store.repository';
import { StoresController } from './stores/stores.controller';

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
        KafkaModule.forRoot({ brokers: env.KAFKA_BROKERS, groupPrefix: env.KAFKA_GROUP_PREFIX }, 'brand-api'),
        TypeOrmModule.forRoot(dataSourceOptions(env.DATABASE_URL)),
        TypeOrmModule.forFeature(ENTITIES),
      ],
      controllers: [BrandsController, ChannelsController, StoresController, OffersController],
      providers: [
        { provide: ADMIN_TOKEN, useValue: env.ADMIN_TOKEN },
        { provide: OUTBOX_POLL_MS, useValue: env.OUTBOX_POLL_MS },
        { provide: SecretBox, useValue: SecretBox.fromEnv(env.SECRETS_KEYS, env.SECRETS_ACTIVE_KID) },
        DatabaseHealth,
        TransactionRunner,
        AdminGuard,
        BrandAuthGuard,
        ApiKeyRepository,
        BrandRepository,
        ChannelRepository,
        StoreRepository,
        OfferRepository,
        OutboxRepository,
        OutboxRelay,
        CreateBrand,
        ConnectChannel,
        CreateStore,
        CreateOffer,
      ],
    };
  }
}
