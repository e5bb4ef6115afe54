export * from './body-limits';
export * from './domain-error';
export * from './http-error.filter';
export * from './zod-body.pipe';
