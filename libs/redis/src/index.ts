export * from './redis.module';
export type { default as Redis } from 'ioredis';
export * from './batch-command';
