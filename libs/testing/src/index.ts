export * from './stack-client';
export * from './kafka-probe';
export * from './zones';
export * from './stage-timings';
