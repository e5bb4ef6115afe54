import { DECISION_LOG_TTL_SECONDS, DecisionLogEntry, decisionLogKey } from '@app/contracts';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { DecisionLogReader } from '../../apps/brand-api/src/decisions/decision-log.reader';
import { DecisionLogRepository } from '../../apps/promotion-engine/src/decisions/decision-log.repository';
import { E2E } from '../setup/e2e-stack';

/**
 * The engine's claim-and-log script against the real Redis: one decision per trigger, the replay
 * record without the explanation, the log capped and expiring, and what brand-api reads back.
 */
describe('decision log (real Redis, one claim script per batch of a brand’s decisions)', () => {
  const redis = new Redis(E2E.redisUrl);
  const log = new DecisionLogRepository(redis);
  const reader = new DecisionLogReader(redis);
  const run = randomBytes(4).toString('hex');
  const shopperId = `intpage${run}:psid`;
  const decidedAt = '2026-11-25T10:00:00.000Z';
  const entry = (triggerId: string, over: Partial<DecisionLogEntry> = {}): DecisionLogEntry => ({
    visitId: `v-${triggerId}`,
    decidedAt,
    reason: null,
    considered: [
      { offerId: 'o1', reason: 'chosen', interestScore: 1.5 },
      { offerId: 'o2', reason: 'offer_not_active', reasons: ['offer_not_active', 'trigger_mismatch'] },
    ],
    request: {
      shopperId, pageId: `intpage${run}`, psid: 'psid', brandId: 'b1', requestId: '00000000-0000-4000-8000-000000000001', offerId: 'o1', storeId: 's1',
      visitId: `v-${triggerId}`, storeName: 'Store "one"', storeLocation: { lat: 48.86, lng: 2.33 }, distanceM: 12, locale: 'fr-FR', variant: 'default',
      message: { title: 'Café -20 % ☕' }, decidedAt, experimentArm: 'A', expiresAt: '2026-11-25T10:10:00.000Z',
    },
    outcome: 'send',
    offerId: 'o1',
    arm: 'A',
    storeId: 's1',
    transition: 'enter',
    brandId: 'b1',
    triggerId,
    ...over,
  });

  afterAll(async () => {
    await log.erase('b1', shopperId);
    await Promise.all(Array.from({ length: 130 }, (_, i) => log.erase('b1', `${shopperId}${i}`)));
    await redis.quit();
  });

  it('keeps the first decision of a trigger: the replay record has the verdict and request, the log the explanation', async () => {
    const first = entry('t1');
    expect(await log.claim('b1', shopperId, 't1', first)).toEqual({ entry: first, first: true });
    // The same trigger decided again (a redelivery) gets the first decision back, explanation left out.
    const again = await log.claim('b1', shopperId, 't1', entry('t1', { reason: 'cap_per_day', request: null, outcome: 'skip', offerId: undefined, arm: undefined }));
    expect(again).toEqual({ entry: { ...first, considered: [] }, first: false });
    expect(await log.find('b1', shopperId, first.visitId, 't1')).toEqual({ ...first, considered: [] });
    expect(await log.recent('b1', shopperId)).toEqual([first]);
    // Stored packed (libs/contracts packConsidered): reasons by number, no keys.
    const [stored] = await redis.lrange(decisionLogKey('b1', shopperId), 0, 0);
    expect(JSON.parse(stored).considered).toEqual([
      ['o1', 0, 1.5],
      ['o2', [9, 13]],
    ]);
    // brand-api serves the stored entry as the engine decided it, through the contract.
    expect(await reader.recent('b1', shopperId)).toEqual([first]);
    expect(await redis.ttl(`pe:decided:{b:b1}:${shopperId}:${first.visitId}:t1`)).toBeGreaterThan(6 * 24 * 3600);
  });

  it('keeps the newest 50 decisions, newest first, for 30 days', async () => {
    const skip = (i: number) => entry(`k${i}`, { reason: 'cooldown', request: null, outcome: 'skip', offerId: undefined, arm: undefined, considered: [{ offerId: 'o1', reason: 'cooldown' }] });
    for (let i = 0; i < 55; i += 1) await log.claim('b1', shopperId, `k${i}`, skip(i));
    const recent = await log.recent('b1', shopperId);
    expect(recent).toHaveLength(50);
    expect(recent[0]).toEqual(JSON.parse(JSON.stringify(skip(54))));
    expect(recent[49]).toEqual(JSON.parse(JSON.stringify(skip(5))));
    expect(await redis.llen(decisionLogKey('b1', shopperId))).toBe(50);
    expect(await redis.ttl(decisionLogKey('b1', shopperId))).toBeGreaterThan(DECISION_LOG_TTL_SECONDS - 60);
    expect(await reader.recent('b1', shopperId)).toHaveLength(50);
  });

  it('claims a batch of the brand’s decisions in order, past one call’s 128, each on its own', async () => {
    const many = Array.from({ length: 130 }, (_, i) => ({ shopperId: `${shopperId}${i}`, triggerId: `m${i}`, entry: entry(`m${i}`) }));
    // Shopper 7's trigger was decided before: that decision stands, and it alone is not logged again.
    const earlier = entry('m7', { reason: 'cooldown', request: null, outcome: 'skip', offerId: undefined, arm: undefined });
    await log.claim('b1', `${shopperId}7`, 'm7', earlier);
    const claimed = await log.claimMany('b1', many);
    expect(claimed).toHaveLength(130);
    claimed.forEach((c, i) => expect(c).toEqual(i === 7 ? { entry: JSON.parse(JSON.stringify({ ...earlier, considered: [] })), first: false } : { entry: many[i].entry, first: true }));
    expect(await log.recent('b1', `${shopperId}7`)).toEqual([JSON.parse(JSON.stringify(earlier))]);
    expect(await log.recent('b1', `${shopperId}129`)).toEqual([many[129].entry]);
  });
});
