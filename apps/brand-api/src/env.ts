import { BaseEnv, DatabaseEnv, KafkaEnv, RedisEnv, SecretsEnv, env, z } from '@app/config';

export const BrandApiEnv = BaseEnv.extend(KafkaEnv.shape)
  .extend(DatabaseEnv.shape)
  .extend(RedisEnv.shape)
  .extend(SecretsEnv.shape)
  .extend({
    PORT: env.port(3000),
    /** The operator's token for POST /v1/brands. */
    ADMIN_TOKEN: z.string().min(12, 'must be at least 12 characters'),
    /** How often the outbox relay looks for unpublished events when nothing woke it, ms. */
    OUTBOX_POLL_MS: z.coerce.number().int().min(20).default(250),
    /** With PostgreSQL's autovacuum off, how often brand-api looks for tables to analyze itself, ms (persistence/planner-statistics.ts). */
    ANALYZE_CHECK_MS: z.coerce.number().int().min(1_000).default(15_000),
    /** Requests one API key may make per window, over all replicas (Redis). */
    RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).default(1200),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
    /** The built brand console served at /console (default: dist/console). */
    CONSOLE_DIR: z.preprocess((v) => (v === '' ? undefined : v), z.string().optional()),
    /** Optional online map tiles for the console, a Leaflet URL template such as https://tile.example.org/{z}/{x}/{y}.png. */
    CONSOLE_TILE_URL: z.preprocess(
      (v) => (v === '' ? undefined : v),
      z.string().regex(/^https?:\/\/[^\s]+\{z\}[^\s]*$/, 'must be an http(s) URL template with {z}, {x} and {y}').optional(),
    ),
    /** Attribution shown with those tiles (their licence usually requires it). */
    CONSOLE_TILE_ATTRIBUTION: z.preprocess((v) => (v === '' ? undefined : v), z.string().max(300).optional()),
  });
export type BrandApiEnv = z.infer<typeof BrandApiEnv>;
