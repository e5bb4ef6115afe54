import { BaseEnv, KafkaEnv, RedisEnv, SecretsEnv, env, z } from '@app/config';

export const GatewayEnv = BaseEnv.extend(KafkaEnv.shape)
  .extend(RedisEnv.shape)
  .extend(SecretsEnv.shape)
  .extend({
    PORT: env.port(3001),
    /** Meta gives a webhook 5 s; Kafka must acknowledge within this budget or we answer 503. */
    WEBHOOK_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(4500).default(4000),
    /** Webhooks worked on at once; the next are answered 503 at once and Meta retries them (webhook-admission.ts). */
    WEBHOOK_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(100_000).default(256),
    /** base64, ≥ 32 bytes, the same in messenger-delivery; unset: derived from the active SECRETS key. */
    LINK_SIGNING_KEY: z.string().min(44).optional(),
  });
export type GatewayEnv = z.infer<typeof GatewayEnv>;
