import { BaseEnv, KafkaEnv, RedisEnv, env, z } from '@app/config';

const QuietHoursSetting = z
  .string()
  .regex(/^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/, 'must be HH:mm-HH:mm or off')
  .default('21:00-09:00')
  .transform((v) => (v === 'off' ? null : { start: v.slice(0, 5), end: v.slice(6, 11) }));

export const EngineEnv = BaseEnv.extend(KafkaEnv.shape)
  .extend(RedisEnv.shape)
  .extend({
    PORT: env.port(3003),
    /** Messenger's standard messaging window. */
    MESSAGING_WINDOW_HOURS: z.coerce.number().positive().default(24),
    /** A promotion not sent within this long after the decision is dropped as stale. */
    SEND_REQUEST_TTL_SECONDS: z.coerce.number().int().positive().default(600),
    DEFAULT_LOCALE: z.string().default('fr'),
    /** Quiet hours in the shopper's zone for brands that did not set theirs; "off": none. */
    QUIET_HOURS: QuietHoursSetting,
    /** An interest shown in a message weighs half as much after this many days. */
    INTEREST_HALF_LIFE_DAYS: z.coerce.number().positive().default(7),
    /** A shopper's interest profile is forgotten this long after their last classified message. */
    INTEREST_TTL_DAYS: z.coerce.number().positive().default(30),
    /** Minimum interest score for offers whose audience lists interests (one mention today = 1). */
    INTEREST_THRESHOLD: z.coerce.number().positive().default(0.5),
    /** Partitions of geofence.transition.v1 whose batches are decided at once (they are independent). */
    TRANSITION_PARTITIONS_CONCURRENTLY: z.coerce.number().int().positive().default(3),
  });
export type EngineEnv = z.infer<typeof EngineEnv>;
