export * from './data-source';
export * from './entities/brand.entity';
export * from './entities/api-key.entity';
export * from './entities/channel.entity';
export * from './entities/store.entity';
export * from './entities/offer.entity';
export * from './entities/outbox.entity';
export * from './entities/delivery.entity';
