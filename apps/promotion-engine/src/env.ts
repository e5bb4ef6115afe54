import { BaseEnv, KafkaEnv, RedisEnv, env, z } from '@app/config';

export const EngineEnv = BaseEnv.extend(KafkaEnv.shape)
  .extend(RedisEnv.shape)
  .extend({
    PORT: env.port(3003),
    /** Messenger's standard messaging window. */
    MESSAGING_WINDOW_HOURS: z.coerce.number().positive().default(24),
    /** A promotion not sent within this long after the decision is dropped as stale. */
    SEND_REQUEST_TTL_SECONDS: z.coerce.number().int().positive().default(600),
    DEFAULT_LOCALE: z.string().default('fr'),
  });
export type EngineEnv = z.infer<typeof EngineEnv>;
