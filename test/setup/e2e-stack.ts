/** The stack the end-to-end tests run: its own ports, Redis database, Postgres database and Kafka groups. */
export const E2E = {
  portBase: 4000,
  redisUrl: 'redis://127.0.0.1:6379/1',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/promotions_test',
  adminToken: 'e2e-admin-token-0123',
  groupPrefix: 'e2e-',
};

export function e2eEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    STACK: 'test',
    PORT_BASE: String(E2E.portBase),
    REDIS_URL: E2E.redisUrl,
    DATABASE_URL: E2E.databaseUrl,
    ADMIN_TOKEN: E2E.adminToken,
    KAFKA_GROUP_PREFIX: E2E.groupPrefix,
    LOG_LEVEL: 'info',
    NODE_ENV: 'test',
  };
}
