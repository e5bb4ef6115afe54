import { z } from 'zod';

/**
 * Fail fast on configuration (STYLE.md §5): each app validates its whole environment at start-up
 * against one schema and refuses to start with the list of everything that is wrong.
 */
export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

export function loadEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new InvalidEnvironmentError(
      result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`),
    );
  }
  return result.data;
}

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

/** Variables every app reads. */
export const BaseEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Pretty, human logs instead of JSON lines (local development only). */
  LOG_PRETTY: bool(false),
});

export const KafkaEnv = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('localhost:9092')
    .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean)),
  /** Prefix of client and consumer-group ids, so two stacks can share one broker (tests). */
  KAFKA_GROUP_PREFIX: z.string().default(''),
  /**
   * How long a produce request waits for more events to join it (as the Java producer's linger.ms,
   * 5 ms by default since Kafka 4.0). On this project's machines a request's syscalls cost more than
   * the wait: one produce request per webhook was a third of the gateway's CPU. 0 sends at once.
   */
  KAFKA_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(5),
});

export const RedisEnv = z.object({
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379/0'),
});

export const DatabaseEnv = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/promotions'),
});

/**
 * Keys that seal channel secrets (AES-256-GCM): `kid:base64key[,kid:base64key…]`, each key 32
 * bytes. SECRETS_ACTIVE_KID seals new secrets; the others still open old ones, so keys rotate.
 */
export const SecretsEnv = z.object({
  SECRETS_KEYS: z.string().min(1, 'is required (kid:base64-32-byte-key, comma separated)'),
  SECRETS_ACTIVE_KID: z.string().min(1),
});

export const env = { port, bool };
export { z };

const optionalUrl = z.preprocess((v) => (v === '' ? undefined : v), z.string().url().optional());

/**
 * OpenTelemetry (every app, read by @app/observability's tracing). Trace context always travels
 * (W3C `traceparent` in HTTP and Kafka headers); spans are exported only when an OTLP endpoint
 * is set (OTLP over HTTP, e.g. http://otel-collector:4318).
 */
export const TracingEnv = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  OTEL_SERVICE_NAME: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
  OTEL_SERVICE_NAMESPACE: z.string().default('location-promotions'),
});
export type TracingEnv = z.infer<typeof TracingEnv>;
