import { DataSource, DataSourceOptions } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { BrandEntity } from './entities/brand.entity';
import { ChannelEntity } from './entities/channel.entity';
import { OfferEntity } from './entities/offer.entity';
import { OutboxEntity } from './entities/outbox.entity';
import { StoreEntity } from './entities/store.entity';
import { DeliveryEntity, ShopperReceiptEntity } from './entities/delivery.entity';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { BrandApiCatalogAndStats1764300000000 } from './migrations/1764300000000-brand-api-catalog-and-stats';
import { OfferExperimentsAndBrandSettings1764400000000 } from './migrations/1764400000000-offer-experiments-and-brand-settings';
import { OfferStatusReason1764500000000 } from './migrations/1764500000000-offer-status-reason';
import { DeliveryOutcomeTime1764900000000 } from './migrations/1764900000000-delivery-outcome-time';

export const ENTITIES = [BrandEntity, ApiKeyEntity, ChannelEntity, StoreEntity, OfferEntity, OutboxEntity, DeliveryEntity, ShopperReceiptEntity];
export const MIGRATIONS = [
  InitialSchema1764000000000,
  BrandApiCatalogAndStats1764300000000,
  OfferExperimentsAndBrandSettings1764400000000,
  OfferStatusReason1764500000000,
  DeliveryOutcomeTime1764900000000,
];

/** Postgres through TypeORM: schema only by migrations, never `synchronize`. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    extra: { max: 10 },
  };
}

/** Applies pending migrations; used by `make up`, the test set-up and the k8s migration Job. */
export async function migrate(url: string): Promise<string[]> {
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
