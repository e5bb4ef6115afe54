// First: fixes kafkajs's request queue before any client is made (request-queue-fix.ts).
export * from './request-queue-fix';
export * from './dead-letter-record';
export * from './failure-policy';
export * from './kafka-event.server';
export * from './kafka-error.filter';
export * from './kafka-options';
export * from './event-publisher';
export * from './coalescing-publisher';
export * from './kafka.module';
export * from './trace-headers';
export * from './batch-consumer';
export * from './consumer-lifecycle';
export * from './rejoin-after-crash';
