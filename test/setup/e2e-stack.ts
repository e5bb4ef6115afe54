/**
 * The stack the end-to-end tests run: its own ports, Redis database, Postgres database and Kafka
 * groups, so it can run beside `make up`'s stack. E2E_PORT_BASE, E2E_REDIS_DB and
 * E2E_GROUP_PREFIX let several checkouts test at once on one machine.
 */
const portBase = Number(process.env.E2E_PORT_BASE ?? 4000);
const redisDb = Number(process.env.E2E_REDIS_DB ?? 1);

export const E2E = {
  portBase,
  redisUrl: `redis://127.0.0.1:6379/${redisDb}`,
  databaseUrl: process.env.E2E_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/promotions_test',
  adminToken: 'e2e-admin-token-0123',
  groupPrefix: process.env.E2E_GROUP_PREFIX ?? 'e2e-',
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
    EXTRA_DATABASES: new URL(E2E.databaseUrl).pathname.slice(1),
    // Delivery: a per-Page rate low enough for tests to reach it, quick retries with many attempts
    // so that 40 % injected failures still deliver everything within a test's patience.
    PAGE_SEND_RATE_PER_SECOND: '35',
    PAGE_SEND_BURST: '5',
    SEND_MAX_ATTEMPTS: '15',
    SEND_RETRY_DELAYS_MS: '200,500,1000,2000',
    // Geofence: fixes up to 15 minutes old count, so a test can replay a visit longer than the
    // default 5 minutes (a 600 s dwell offer) with sharedAt timestamps in the past.
    MAX_FIX_AGE_SECONDS: '900',
  };
}
