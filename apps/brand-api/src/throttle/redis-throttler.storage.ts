import type { Redis } from '@app/redis';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';

// KEYS: hits, block. ARGV: ttlMs, limit, blockMs. Fixed window, atomic, shared by every replica.
const INCREMENT = `
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then
  return {tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]), 1, blocked}
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}`;

/**
 * @nestjs/throttler's storage in Redis, so every brand-api replica counts against the same limit.
 * Keys carry a hash tag (both keys of one tracker on one Redis Cluster slot) and expire by
 * themselves.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly redis: Redis) {}

  async increment(key: string, ttlMs: number, limit: number, blockDurationMs: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const base = `rl:{${throttlerName}:${key}}`;
    const [totalHits, ttlLeftMs, blocked, blockLeftMs] = (await this.redis.eval(
      INCREMENT,
      2,
      `${base}:hits`,
      `${base}:block`,
      ttlMs,
      limit,
      blockDurationMs > 0 ? blockDurationMs : ttlMs,
    )) as [number, number, number, number];
    return {
      totalHits,
      timeToExpire: Math.max(0, Math.ceil(ttlLeftMs / 1000)),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.max(1, Math.ceil(blockLeftMs / 1000)),
    };
  }
}
