import { OfferSnapshot, ShopperInteraction, decisionLogKey } from '@app/contracts';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { CatalogRepository } from '../../apps/promotion-engine/src/catalog/catalog.repository';
import { CapsRepository, capsKey } from '../../apps/promotion-engine/src/decisions/caps.repository';
import { DecisionLogRepository } from '../../apps/promotion-engine/src/decisions/decision-log.repository';
import { EnginePolicy } from '../../apps/promotion-engine/src/engine-policy';
import { InterestProfileRepository, interestsKey } from '../../apps/promotion-engine/src/interests/interest-profile.repository';
import { EraseShopper } from '../../apps/promotion-engine/src/shoppers/erase-shopper.usecase';
import { RecordInteraction } from '../../apps/promotion-engine/src/shoppers/record-interaction.usecase';
import { ShopperStateRepository, shopperKey } from '../../apps/promotion-engine/src/shoppers/shopper-state.repository';
import { E2E } from '../setup/e2e-stack';

/** What the engine keeps about a shopper, against the real Redis: interests learnt, then erased. */
describe('shopper state (real Redis)', () => {
  const redis = new Redis(E2E.redisUrl);
  const run = randomBytes(4).toString('hex');
  const brandId = `int-${run}`;
  const shopperId = `intpage${run}:psid`;
  const now = Date.now();
  const policy = { interestDecay: { halfLifeMs: 7 * 86_400_000, floor: 0.01 }, interestTtlSeconds: 3600 } as EnginePolicy;
  const catalog = new CatalogRepository(redis);
  const shoppers = new ShopperStateRepository(redis);
  const interests = new InterestProfileRepository(redis);
  const caps = new CapsRepository(redis);
  const log = new DecisionLogRepository(redis);
  const record = new RecordInteraction(shoppers, interests, catalog, policy);
  const interaction = (over: Partial<ShopperInteraction>): ShopperInteraction => ({
    shopperId, pageId: `intpage${run}`, psid: 'psid', brandId, kind: 'text', opensWindow: true, text: null, payload: null, command: null,
    messageId: null, watermark: null, at: new Date(now).toISOString(), receivedAt: new Date(now).toISOString(), ...over,
  });

  afterAll(() => redis.quit());

  it('learns interests among those the brand targets, with consent, locale and zone', async () => {
    const offer = { offerId: `o-${run}`, brandId, version: 1, audience: { interests: ['sneakers', 'coffee'] } } as OfferSnapshot;
    await catalog.upsertOffer(offer);
    await record.execute(interaction({ text: 'Je cherche des baskets', locale: 'fr_FR', timezone: 'Europe/Paris' }));
    await record.execute(interaction({ text: 'STOP', command: 'stop', at: new Date(now + 1000).toISOString() }));
    expect(Object.keys(await interests.get(brandId, shopperId))).toEqual(['sneakers']);
    expect(await shoppers.get(brandId, shopperId)).toEqual({ optedOut: true, lastInboundAtMs: now + 1000, locale: 'fr_FR', timezone: 'Europe/Paris', tags: [] });
    expect(await redis.ttl(interestsKey(brandId, shopperId))).toBeGreaterThan(0);
  });

  it('forgets everything about the shopper on erasure', async () => {
    await caps.reserve({ brandId, shopperId, visitId: `v-${run}`, triggerId: 't', day: '2026-11-25', nowMs: now, candidates: [{ offerId: `o-${run}`, requestId: `r-${run}`, spendsBudget: true, maxSends: 10 }] });
    await log.claim(brandId, shopperId, 't', { visitId: `v-${run}`, decidedAt: new Date(now).toISOString(), reason: null, considered: [], request: null, triggerId: 't' });
    const keys = [shopperKey(brandId, shopperId), interestsKey(brandId, shopperId), capsKey(brandId, shopperId), decisionLogKey(brandId, shopperId), `pe:decided:{b:${brandId}}:${shopperId}:v-${run}:t`];
    expect(await redis.exists(...keys)).toBe(keys.length);
    await new EraseShopper(shoppers, interests, caps, log).execute({ shopperId, pageId: `intpage${run}`, psid: 'psid', brandId, requestedAt: new Date().toISOString() });
    expect(await redis.exists(...keys)).toBe(0);
    expect(await caps.spent(brandId, `o-${run}`)).toBe(1);
  });

  it('reads many of the brand’s shoppers in one go, in the order asked, past one call’s 128', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `${shopperId}-many${i}`);
    await Promise.all(ids.map((id, i) => (i % 2 ? shoppers.record(interaction({ shopperId: id, locale: i % 4 === 1 ? 'en_GB' : 'fr_FR', command: i % 10 === 3 ? 'stop' : null })) : null)));
    await interests.save(brandId, ids[151], { coffee: { score: 1.5, atMs: now } }, 60);
    const read = await shoppers.getManyWithInterests(brandId, ids);
    expect(read).toHaveLength(200);
    read.forEach((state, i) => {
      const known = i % 2 === 1;
      expect(state).toEqual({
        optedOut: i % 10 === 3,
        lastInboundAtMs: known ? now : null,
        locale: known ? (i % 4 === 1 ? 'en_GB' : 'fr_FR') : null,
        timezone: null,
        tags: [],
        profile: i === 151 ? { coffee: { score: 1.5, atMs: now } } : {},
      });
    });
    await Promise.all(ids.map((id) => Promise.all([shoppers.erase(brandId, id), interests.erase(brandId, id)])));
  });
});
