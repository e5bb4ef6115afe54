export * from './stack-client';
export * from './kafka-probe';
