import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const bucketKey = (pageId: string) => `dl:rate:{p:${pageId}}`;
const slowKey = (pageId: string) => `dl:rate:{p:${pageId}}:slow`;

/**
 * A token bucket per Page in Redis, shared by every replica. KEYS: bucket, slow-down flag.
 * ARGV: rate per second, burst, now (ms), slow factor. Returns 0 when a token was taken, else the
 * milliseconds until one will be there. Time comes from the caller so replicas agree closely
 * enough (their clocks are NTP-synchronised; a skew only shifts refills by that much).
 */
const TAKE = `
local rate = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then rate = rate * tonumber(ARGV[4]) end
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', math.max(now, at))
redis.call('PEXPIRE', KEYS[1], 60000)
return wait`;

export interface RateSettings {
  perSecond: number;
  burst: number;
  /** While a Page is slowed down (after a rate-limit error), its rate is multiplied by this. */
  slowFactor: number;
  slowForMs: number;
}

/** Per-Page send rate (default 250/s, under Meta's 300/s), shared by all replicas. */
@Injectable()
export class PageRateLimiterRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** 0 when the caller may send now, else how long to wait before asking again. */
  async take(pageId: string, settings: RateSettings, nowMs: number): Promise<number> {
    return Number(
      await this.redis.eval(TAKE, 2, bucketKey(pageId), slowKey(pageId), settings.perSecond, settings.burst, nowMs, settings.slowFactor),
    );
  }

  /** Meta said the Page sends too fast: slow it down for a while and drain its burst. */
  async slowDown(pageId: string, settings: RateSettings): Promise<void> {
    await this.redis
      .multi()
      .set(slowKey(pageId), '1', 'PX', settings.slowForMs)
      .hset(bucketKey(pageId), 'tokens', 0)
      .exec();
  }
}
