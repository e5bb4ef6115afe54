export * from './logging';
export * from './metrics';
export * from './health';
export * from './observability.module';
export * from './bootstrap';
