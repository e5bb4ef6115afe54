import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { PageRateLimiterRepository, RateSettings } from '../../apps/messenger-delivery/src/sending/page-rate-limiter.repository';
import { SendLedgerRepository } from '../../apps/messenger-delivery/src/sending/send-ledger.repository';

/**
 * The delivery service's Redis scripts against the real Redis (infra/infra.sh), with several
 * connections standing in for several replicas.
 */
const url = `redis://127.0.0.1:6379/${process.env.E2E_REDIS_DB ?? 1}`;
const replicas = [new Redis(url), new Redis(url), new Redis(url)];
jest.setTimeout(30_000);

afterAll(() => replicas.forEach((r) => r.disconnect()));

describe('per-Page token bucket shared by replicas', () => {
  const settings: RateSettings = { perSecond: 50, burst: 5, slowFactor: 0.25, slowForMs: 1000 };

  it('never grants more than burst + rate × elapsed, whatever the number of replicas asking', async () => {
    const limiters = replicas.map((r) => new PageRateLimiterRepository(r));
    const pageId = `it-${randomUUID()}`;
    const start = Date.now();
    let granted = 0;
    // Simulated clock: 3 seconds of 10 ms ticks, every replica asking 3 times a tick.
    for (let t = 0; t < 3000; t += 10) {
      const answers = await Promise.all(limiters.flatMap((l) => [l.take(pageId, settings, start + t), l.take(pageId, settings, start + t), l.take(pageId, settings, start + t)]));
      granted += answers.filter((wait) => wait === 0).length;
      expect(granted).toBeLessThanOrEqual(settings.burst + Math.floor((t * settings.perSecond) / 1000) + 1);
    }
    expect(granted).toBeGreaterThanOrEqual(150);
  }, 60_000);

  it('tells how long to wait, and slows a Page down after a rate-limit error', async () => {
    const limiter = new PageRateLimiterRepository(replicas[0]);
    const pageId = `it-${randomUUID()}`;
    const now = Date.now();
    for (let i = 0; i < settings.burst; i += 1) expect(await limiter.take(pageId, settings, now)).toBe(0);
    expect(await limiter.take(pageId, settings, now)).toBe(20);
    await limiter.slowDown(pageId, settings);
    expect(await limiter.take(pageId, settings, now + 20)).toBeGreaterThan(0);
    expect(await limiter.take(pageId, settings, now + 100)).toBe(0);
  });
});

describe('send ledger', () => {
  it('lets exactly one of many concurrent replicas call the Send API for a request', async () => {
    const ledgers = replicas.map((r) => new SendLedgerRepository(r));
    const requestId = randomUUID();
    const holders = ledgers.flatMap((l) => [{ l, token: randomUUID() }, { l, token: randomUUID() }]);
    const claims = await Promise.all(holders.map(({ l, token }) => l.claim(requestId, 1, Date.now(), token)));
    expect(claims.filter((c) => c === null).length).toBeGreaterThanOrEqual(1);
    const calls = await Promise.all(holders.map(({ l, token }, i) => (claims[i] === null ? l.startSending(requestId, token, Date.now()) : false)));
    expect(calls.filter(Boolean)).toHaveLength(1);
    // Once a call started, no copy claims the request again.
    expect(await ledgers[0].claim(requestId, 1, Date.now(), randomUUID())).toMatchObject({ state: 'sending', attempt: 1 });
  });

  it('lets a redelivered copy take over a claim whose holder never called, and stops the old holder', async () => {
    const ledger = new SendLedgerRepository(replicas[0]);
    const requestId = randomUUID();
    expect(await ledger.claim(requestId, 1, 1, 'first')).toBeNull();
    // The first holder failed before the call (Redis away), its message is redelivered.
    expect(await ledger.claim(requestId, 1, 2, 'second')).toBeNull();
    expect(await ledger.startSending(requestId, 'first', 3)).toBe(false);
    expect(await ledger.startSending(requestId, 'second', 4)).toBe(true);
    expect(await ledger.claim(requestId, 1, 5, 'third')).toMatchObject({ state: 'sending', attempt: 1 });
  });

  it('frees the next attempt only after a definite refusal, once', async () => {
    const ledger = new SendLedgerRepository(replicas[0]);
    const requestId = randomUUID();
    expect(await ledger.claim(requestId, 1, 1, 'a')).toBeNull();
    expect(await ledger.claim(requestId, 2, 2, 'b')).toMatchObject({ state: 'claimed', attempt: 1 });
    expect(await ledger.startSending(requestId, 'a', 2)).toBe(true);
    expect(await ledger.claim(requestId, 2, 2, 'b')).toMatchObject({ state: 'sending', attempt: 1 });
    await ledger.retryLater(requestId, 2, 3);
    expect(await ledger.claim(requestId, 1, 4, 'c')).toMatchObject({ state: 'retrying', attempt: 2 });
    expect(await ledger.claim(requestId, 2, 5, 'd')).toBeNull();
    expect(await ledger.startSending(requestId, 'd', 5)).toBe(true);
    expect(await ledger.claim(requestId, 2, 6, 'e')).toMatchObject({ state: 'sending', attempt: 2 });
    await ledger.finish(requestId, { state: 'done', status: 'sent', messageId: 'm', reason: null, attempts: 2 });
    expect(await ledger.claim(requestId, 3, 7, 'f')).toMatchObject({ state: 'done', status: 'sent' });
    expect(await ledger.claim(randomUUID(), 2, 8, 'g')).toEqual({ state: 'missing' });
  });
});
