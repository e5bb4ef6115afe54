import { BaseEnv, env, z } from '@app/config';

export const SimEnv = BaseEnv.extend({
  PORT: env.port(3900),
  /** How long a webhook (handshake or event) may take to answer; Meta waits about 10 s at most. */
  SIM_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Accepted Send API calls kept for inspection; the oldest are dropped beyond it (benchmarks). */
  SIM_MAX_STORED_SENDS: z.coerce.number().int().min(100).default(200_000),
  /** Pauses before Meta's retries of a failed webhook delivery (comma-separated ms; empty: none). */
  SIM_WEBHOOK_RETRY_DELAYS_MS: z
    .string()
    .default('100,500,1500')
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean).map(Number))
    .pipe(z.array(z.number().int().min(0).max(60_000)).max(10)),
  /** After an accepted send, when the shopper's phone acknowledges it (delivery receipt); 0: never. */
  SIM_DELIVERY_RECEIPT_MS: z.coerce.number().int().min(0).default(300),
  /** After the delivery receipt, when the shopper reads it (read receipt); 0: never. */
  SIM_READ_RECEIPT_MS: z.coerce.number().int().min(0).default(1000),
});
export type SimEnv = z.infer<typeof SimEnv>;
