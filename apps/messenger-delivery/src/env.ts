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
    /**
     * Attempts of a send on temporary errors: the first, then retries through the retry topics;
     * retries beyond the number of retry topics reuse the last one (and its delay). A promotion
     * past its expiresAt is never sent, whatever is left.
     */
    SEND_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    /** Delays of the retry topics (ms, comma-separated, one per topic): about 1 s, 10 s, 1 min, 10 min. */
    SEND_RETRY_DELAYS_MS: z
      .string()
      .default('1000,10000,60000,600000')
      .transform((s) => s.split(',').map((v) => Number(v.trim())))
      .pipe(z.array(z.number().int().min(0).max(3_600_000)).length(4)),
    /** Send API calls per second per Page, shared by all replicas (Meta allows 300). */
    PAGE_SEND_RATE_PER_SECOND: z.coerce.number().positive().max(300).default(250),
    /** Calls a quiet Page may make at once; rate + burst stays under Meta's 300 in any second. */
    PAGE_SEND_BURST: z.coerce.number().int().positive().max(300).default(25),
    /** Where shoppers reach the gateway: the click redirect and the location page (https in production). */
    GATEWAY_PUBLIC_URL: z.string().url().default('http://127.0.0.1:3001'),
    /** base64, ≥ 32 bytes, the same in the gateway; unset: derived from the active SECRETS key. */
    LINK_SIGNING_KEY: z.string().min(44).optional(),
    /** Language of the bot's replies when the shopper's words do not tell. */
    DEFAULT_LOCALE: z.enum(['fr', 'en']).default('fr'),
  })
  .refine((e) => e.NODE_ENV !== 'production' || e.GATEWAY_PUBLIC_URL.startsWith('https://'), {
    path: ['GATEWAY_PUBLIC_URL'],
    message: 'must be https in production (Messenger opens only https links)',
  });
export type DeliveryEnv = z.infer<typeof DeliveryEnv>;
