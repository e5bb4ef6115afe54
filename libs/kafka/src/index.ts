// First: fixes kafkajs's request queue, its producer's grouping of messages by partition and its
// record encoder before any client is made or kafkajs's producer is loaded (request-queue-fix.ts,
// produce-grouping-fix.ts, record-encoding-fix.ts).
export * from './request-queue-fix';
export * from './produce-grouping-fix';
export * from './record-encoding-fix';
export * from './partitioner';
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
