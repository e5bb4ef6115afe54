/**
 * What the integration tests run against: the real Kafka, Redis and Postgres of infra/infra.sh,
 * with a database of their own (the e2e database's name + `_int`) so that no running stack's
 * outbox relay drains what an integration test is watching.
 */
import { E2E } from './e2e-stack';

const e2eDb = new URL(E2E.databaseUrl);
const intDb = new URL(E2E.databaseUrl);
intDb.pathname = `${e2eDb.pathname}_int`;

export const INTEGRATION = {
  databaseUrl: intDb.toString(),
  databaseName: intDb.pathname.slice(1),
  redisUrl: E2E.redisUrl,
  /**
   * A Redis database no stack uses (the e2e one + 6): for a test whose state a running stack
   * would change, such as the engine's reservations, which the e2e stack's engine settles when
   * its delivery answers the send requests the test published.
   */
  privateRedisUrl: E2E.redisUrl.replace(/\/(\d+)$/, (_, db: string) => `/${(Number(db) + 6) % 16}`),
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','),
  groupPrefix: `${E2E.groupPrefix}int-`,
};
