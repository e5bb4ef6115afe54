export * from './stack-client';
