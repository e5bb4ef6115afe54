import { BaseEnv, env, z } from '@app/config';

export const SimEnv = BaseEnv.extend({
  PORT: env.port(3900),
  /** How long a webhook (handshake or event) may take to answer; Meta waits about 10 s at most. */
  SIM_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Accepted Send API calls kept for inspection; the oldest are dropped beyond it (benchmarks). */
  SIM_MAX_STORED_SENDS: z.coerce.number().int().min(100).default(200_000),
});
export type SimEnv = z.infer<typeof SimEnv>;
