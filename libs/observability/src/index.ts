export * from './logging';
export * from './metrics';
export * from './metric-names';
export * from './health';
export * from './observability.module';
export * from './bootstrap';
export * from './tracing';
export * from './http-telemetry.interceptor';
