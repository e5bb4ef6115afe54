export * from './failure-policy';
export * from './kafka-event.server';
export * from './kafka-error.filter';
export * from './kafka-options';
export * from './event-publisher';
export * from './kafka.module';
export * from './trace-headers';
