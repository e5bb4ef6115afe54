import { BaseEnv, KafkaEnv, RedisEnv, SecretsEnv, env, z } from '@app/config';

export const DeliveryEnv = BaseEnv.extend(KafkaEnv.shape)
  .extend(RedisEnv.shape)
  .extend(SecretsEnv.shape)
  .extend({
    PORT: env.port(3004),
    /** Meta's Graph API; the simulator (http://127.0.0.1:3900) locally. */
    GRAPH_API_URL: z.string().url().default('http://127.0.0.1:3900'),
    GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/).default('v21.0'),
    SEND_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
    /** Attempts for temporary Send API failures before the send is reported failed. */
    SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  });
export type DeliveryEnv = z.infer<typeof DeliveryEnv>;
