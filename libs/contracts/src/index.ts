export * from './topics';
export * from './shopper-id';
export * from './envelope';
export * from './events/common';
export * from './events/catalog';
export * from './events/shopper';
export * from './events/decisions';
export * from './ids';
