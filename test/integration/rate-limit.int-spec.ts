import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { RedisThrottlerStorage } from '../../apps/brand-api/src/throttle/redis-throttler.storage';
import { INTEGRATION } from '../setup/integration-env';

describe('rate-limit storage shared by replicas (real Redis)', () => {
  const a = new Redis(INTEGRATION.redisUrl);
  const b = new Redis(INTEGRATION.redisUrl);
  afterAll(() => {
    a.disconnect();
    b.disconnect();
  });

  it('counts one budget across two replicas and blocks with a retry delay once it is spent', async () => {
    const replicaA = new RedisThrottlerStorage(a);
    const replicaB = new RedisThrottlerStorage(b);
    const key = `key:${randomBytes(8).toString('hex')}`;
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await (i % 2 === 0 ? replicaA : replicaB).increment(key, 60_000, 5, 60_000, 'default'));
    expect(results.map((r) => r.totalHits)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(results.slice(0, 5).every((r) => !r.isBlocked)).toBe(true);
    expect(results[5].isBlocked).toBe(true);
    expect(results[5].timeToBlockExpire).toBeGreaterThan(0);
    expect(results[5].timeToBlockExpire).toBeLessThanOrEqual(60);
    // Still blocked on the other replica.
    expect((await replicaA.increment(key, 60_000, 5, 60_000, 'default')).isBlocked).toBe(true);
  });
});
