import type { Redis } from '@app/redis';
import { MessageDedupRepository } from './message-dedup.repository';

/** A Redis double that records MGETs and answers from a set of keys (pure logic of the batching). */
function recordingRedis(stored: string[]): { redis: Redis; mgets: string[][] } {
  const mgets: string[][] = [];
  const redis = {
    mget: async (...keys: string[]) => {
      mgets.push(keys);
      return keys.map((k) => (stored.includes(k) ? '1' : null));
    },
  } as unknown as Redis;
  return { redis, mgets };
}

describe('MessageDedupRepository.seen', () => {
  it('looks up the webhooks of one turn of the event loop together, one MGET per Page, each answered with its own ids', async () => {
    const { redis, mgets } = recordingRedis(['gw:mid:{P1}:a', 'gw:mid:{P1}:c', 'gw:mid:{P2}:x']);
    const dedup = new MessageDedupRepository(redis);
    const [first, second, other] = await Promise.all([dedup.seen('P1', ['a', 'b']), dedup.seen('P1', ['b', 'c']), dedup.seen('P2', ['x', 'y'])]);
    expect(mgets).toEqual([
      ['gw:mid:{P1}:a', 'gw:mid:{P1}:b', 'gw:mid:{P1}:c'],
      ['gw:mid:{P2}:x', 'gw:mid:{P2}:y'],
    ]);
    expect([...first]).toEqual(['a']);
    expect([...second]).toEqual(['c']);
    expect([...other]).toEqual(['x']);

    // A later turn makes its own lookups.
    expect([...(await dedup.seen('P1', ['c']))]).toEqual(['c']);
    expect(mgets).toHaveLength(3);
  });

  it('asks nothing for a webhook without message ids, and fails every lookup of a failed MGET', async () => {
    const failure = new Error('Redis gone');
    const redis = { mget: () => Promise.reject(failure) } as unknown as Redis;
    const dedup = new MessageDedupRepository(redis);
    expect(await dedup.seen('P1', [])).toEqual(new Set());
    await expect(Promise.all([dedup.seen('P1', ['a']), dedup.seen('P1', ['b'])])).rejects.toBe(failure);
  });
});
