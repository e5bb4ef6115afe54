import { BaseEnv, KafkaEnv, RedisEnv, env, z } from '@app/config';

export const GeofenceEnv = BaseEnv.extend(KafkaEnv.shape)
  .extend(RedisEnv.shape)
  .extend({
    PORT: env.port(3002),
    /** Fixes less precise than this are not visits. */
    MAX_ACCURACY_M: z.coerce.number().positive().default(100),
    /** Fixes older than this when processed are not visits. */
    MAX_FIX_AGE_SECONDS: z.coerce.number().int().positive().default(300),
    /** A jump from the last accepted fix faster than this is a spoof or a glitch. */
    MAX_SPEED_KMH: z.coerce.number().positive().default(250),
    /** How far outside a fence a shopper must be before the visit ends (no flapping at the edge). */
    EXIT_HYSTERESIS_M: z.coerce.number().nonnegative().default(30),
    /** Visit state and last fix expire after this long without a share. */
    STATE_TTL_SECONDS: z.coerce.number().int().positive().default(7200),
    /** How often each replica looks for visits whose shopper stopped sharing. */
    VISIT_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
    /**
     * Heap the in-process cache of store snapshots and prepared fences may take, in MB (about
     * 15,000 circle stores in 16 MB). Within the app's heap limit (scripts/app-node-options.json).
     */
    STORE_CACHE_MB: z.coerce.number().positive().default(16),
    /** shopper.location.v1 partitions evaluated at once by one process. */
    LOCATION_PARTITIONS_CONCURRENTLY: z.coerce.number().int().positive().default(6),
  });
export type GeofenceEnv = z.infer<typeof GeofenceEnv>;
