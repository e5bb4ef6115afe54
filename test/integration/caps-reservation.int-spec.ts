import Redis from 'ioredis';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { CAPS_TTL_SECONDS, CapsRepository, RESERVE_SCRIPT, ReservationCandidate } from '../../apps/promotion-engine/src/decisions/caps.repository';
import { E2E } from '../setup/e2e-stack';

/**
 * The caps script against the real Redis: two engine replicas (two connections, as two processes
 * would have) reserving at once never spend more than the budget, and every counter holds.
 */
describe('caps reservation (real Redis, one Lua script)', () => {
  const admin = new Redis(E2E.redisUrl);
  const connections: Redis[] = [admin];
  const engine = () => {
    const redis = new Redis(E2E.redisUrl, { enableAutoPipelining: true });
    connections.push(redis);
    return new CapsRepository(redis);
  };
  let brandId = '';
  const now = Date.parse('2026-11-25T10:00:00Z');
  const candidate = (over: Partial<ReservationCandidate> = {}): ReservationCandidate => ({ offerId: 'o1', requestId: `r-${randomBytes(6).toString('hex')}`, spendsBudget: true, ...over });
  const reserveOnce = (caps: CapsRepository, shopperId: string, candidates: ReservationCandidate[], over: { visitId?: string; triggerId?: string; nowMs?: number; day?: string } = {}) =>
    caps.reserve({ brandId, shopperId, visitId: over.visitId ?? `v-${randomBytes(6).toString('hex')}`, triggerId: over.triggerId ?? `t-${randomBytes(6).toString('hex')}`, day: over.day ?? '2026-11-25', nowMs: over.nowMs ?? now, candidates });

  beforeEach(() => {
    brandId = `int-${randomBytes(6).toString('hex')}`;
  });

  afterEach(async () => {
    // Every key of the test's brand carries its hash tag.
    const keys = await admin.keys(`*{b:${brandId}}*`);
    if (keys.length > 0) await admin.del(...keys);
  });

  afterAll(async () => {
    await Promise.all(connections.map((c) => c.quit()));
  });

  it('reserves exactly k of a budget of k when two replicas decide for many shoppers at once', async () => {
    const k = 37;
    const [a, b] = [engine(), engine()];
    const shoppers = Array.from({ length: 400 }, (_, i) => `P:s${i}`);
    const results = await Promise.all(
      shoppers.flatMap((shopperId) => [a, b].map((caps) => reserveOnce(caps, shopperId, [candidate({ maxSends: k })]))),
    );
    const reserved = results.filter((r) => r.kind === 'decided' && r.reservedOfferId === 'o1').length;
    const refused = results.filter((r) => r.kind === 'decided' && r.refused[0]?.reason === 'budget_exhausted').length;
    expect(reserved).toBe(k);
    expect(refused).toBe(results.length - k);
    expect(await a.spent(brandId, 'o1')).toBe(k);
  });

  it('reserves exactly k when two engine processes run the script at once', async () => {
    const k = 25;
    // Each child process is a bare Redis client running the engine's script for 300 shoppers.
    const child = `
      const Redis = require('ioredis');
      const redis = new Redis(process.env.REDIS_URL, { enableAutoPipelining: true });
      redis.defineCommand('reserve', { lua: process.env.SCRIPT });
      const { brandId, k, ttl, who } = JSON.parse(process.env.JOB);
      // Batches of 10 shoppers per call, as the engine sends a Kafka batch's decisions of a brand.
      Promise.all(Array.from({ length: 30 }, (_, b) => {
        const shoppers = Array.from({ length: 10 }, (_, j) => b * 10 + j);
        return redis.reserve(shoppers.length + 1, 'pe:budget:{b:' + brandId + '}', ...shoppers.map((i) => 'pe:caps:{b:' + brandId + '}:P:s' + i),
          Date.now(), ttl, ...shoppers.flatMap((i) => ['2026-11-25', 'v-' + who + '-' + i, 't-' + who + '-' + i, 'o1,r-' + who + '-' + i + ',0,0,' + k + ',0,1']));
      }))
        .then((calls) => { console.log(calls.flat().filter((r) => r[0] === 'done' && r[1] === 'o1').length); return redis.quit(); })
        .catch((e) => { console.error(e); process.exit(1); });`;
    const run = (who: string) =>
      promisify(execFile)(process.execPath, ['-e', child], {
        cwd: process.cwd(),
        env: { ...process.env, REDIS_URL: E2E.redisUrl, SCRIPT: RESERVE_SCRIPT, JOB: JSON.stringify({ brandId, k, ttl: CAPS_TTL_SECONDS, who }) },
      });
    const [a, b] = await Promise.all([run('a'), run('b')]);
    expect(Number(a.stdout) + Number(b.stdout)).toBe(k);
    expect(await engine().spent(brandId, 'o1')).toBe(k);
  });

  it('decides a batch of one brand in order, each decision on its own counters', async () => {
    const caps = engine();
    const request = (shopperId: string, visitId: string, offerId: string, triggerId = `enter-${visitId}`) => ({ brandId, shopperId, visitId, triggerId, day: '2026-11-25', nowMs: now, candidates: [candidate({ offerId, maxSends: 2 })] });
    const outcomes = await caps.reserveMany(brandId, [request('P:1', 'v1', 'o1'), request('P:2', 'v2', 'o1'), request('P:3', 'v3', 'o1'), request('P:1', 'v1', 'o2', 'dwell-v1')]);
    expect(outcomes).toEqual([
      { kind: 'decided', reservedOfferId: 'o1', refused: [] },
      { kind: 'decided', reservedOfferId: 'o1', refused: [] },
      { kind: 'decided', reservedOfferId: null, refused: [{ offerId: 'o1', reason: 'budget_exhausted' }] },
      { kind: 'visit_taken', offerId: 'o1' },
    ]);
    expect(await caps.spent(brandId, 'o1')).toBe(2);
  });

  it('falls back to the next ranked offer when the best one is spent, and explains it', async () => {
    const caps = engine();
    const first = await reserveOnce(caps, 'P:x', [candidate({ offerId: 'best', maxSends: 1 }), candidate({ offerId: 'next' })]);
    expect(first).toMatchObject({ kind: 'decided', reservedOfferId: 'best', refused: [] });
    const second = await reserveOnce(caps, 'P:y', [candidate({ offerId: 'best', maxSends: 1 }), candidate({ offerId: 'next' })]);
    expect(second).toEqual({ kind: 'decided', reservedOfferId: 'next', refused: [{ offerId: 'best', reason: 'budget_exhausted' }] });
  });

  it('holds per-day caps by the shopper calendar day, total caps, and the brand cooldown', async () => {
    const caps = engine();
    const daily = () => candidate({ perShopperPerDay: 1, perShopperTotal: 2 });
    expect((await reserveOnce(caps, 'P:d', [daily()])).kind).toBe('decided');
    expect(await reserveOnce(caps, 'P:d', [daily()], { nowMs: now + 60_000 })).toMatchObject({ reservedOfferId: null, refused: [{ reason: 'cap_per_day' }] });
    expect(await reserveOnce(caps, 'P:d', [daily()], { day: '2026-11-26', nowMs: now + 86_400_000 })).toMatchObject({ reservedOfferId: 'o1' });
    expect(await reserveOnce(caps, 'P:d', [daily()], { day: '2026-11-27', nowMs: now + 2 * 86_400_000 })).toMatchObject({ reservedOfferId: null, refused: [{ reason: 'cap_total' }] });

    const cool = (offerId: string) => candidate({ offerId, cooldownMinutes: 30 });
    expect(await reserveOnce(caps, 'P:c', [cool('a')])).toMatchObject({ reservedOfferId: 'a' });
    expect(await reserveOnce(caps, 'P:c', [cool('b')], { nowMs: now + 29 * 60_000 })).toMatchObject({ reservedOfferId: null, refused: [{ reason: 'cooldown' }] });
    expect(await reserveOnce(caps, 'P:c', [cool('b')], { nowMs: now + 30 * 60_000 })).toMatchObject({ reservedOfferId: 'b' });
  });

  it('judges each ranked candidate on its own counters, the first read with the visit fields and the others after it', async () => {
    const caps = engine();
    const a = () => candidate({ offerId: 'a', perShopperTotal: 1 });
    const b = () => candidate({ offerId: 'b', perShopperPerDay: 1 });
    expect(await reserveOnce(caps, 'P:m', [a()])).toMatchObject({ reservedOfferId: 'a' });
    expect(await reserveOnce(caps, 'P:m', [b()], { nowMs: now + 1000 })).toMatchObject({ reservedOfferId: 'b' });
    expect(await reserveOnce(caps, 'P:m', [a(), b(), candidate({ offerId: 'c' })], { nowMs: now + 2000 })).toEqual({
      kind: 'decided',
      reservedOfferId: 'c',
      refused: [
        { offerId: 'a', reason: 'cap_total' },
        { offerId: 'b', reason: 'cap_per_day' },
      ],
    });
    expect(await reserveOnce(caps, 'P:m', [b(), a()], { nowMs: now + 3000 })).toEqual({
      kind: 'decided',
      reservedOfferId: null,
      refused: [
        { offerId: 'b', reason: 'cap_per_day' },
        { offerId: 'a', reason: 'cap_total' },
      ],
    });
  });

  it('gives one promotion per visit, and recognises a replay of the same trigger', async () => {
    const caps = engine();
    const visit = { visitId: 'visit-1', triggerId: 'enter-event' };
    expect(await reserveOnce(caps, 'P:v', [candidate({ offerId: 'a' })], visit)).toMatchObject({ reservedOfferId: 'a' });
    expect(await reserveOnce(caps, 'P:v', [candidate({ offerId: 'b' })], visit)).toEqual({ kind: 'replay', offerId: 'a' });
    expect(await reserveOnce(caps, 'P:v', [candidate({ offerId: 'b' })], { ...visit, triggerId: 'dwell-event' })).toEqual({ kind: 'visit_taken', offerId: 'a' });
  });

  it('gives one promotion per location share: a fix inside two overlapping fences starts two visits, one gets it', async () => {
    const caps = engine();
    const share = 'location-event-1';
    expect(await reserveOnce(caps, 'P:s', [candidate({ offerId: 'a' })], { visitId: 'visit-near', triggerId: share })).toMatchObject({ reservedOfferId: 'a' });
    expect(await reserveOnce(caps, 'P:s', [candidate({ offerId: 'b' })], { visitId: 'visit-far', triggerId: share })).toEqual({ kind: 'share_taken', offerId: 'a' });
    // The next share is a new chance (no caps set on these offers).
    expect(await reserveOnce(caps, 'P:s', [candidate({ offerId: 'b' })], { visitId: 'visit-far', triggerId: 'location-event-2' })).toMatchObject({ reservedOfferId: 'b' });
  });

  it('releases what a failed delivery took, once, and keeps what a sent one took', async () => {
    const caps = engine();
    const failed = candidate({ maxSends: 1, perShopperTotal: 1, cooldownMinutes: 60 });
    expect(await reserveOnce(caps, 'P:r', [failed])).toMatchObject({ reservedOfferId: 'o1' });
    expect(await caps.release(brandId, 'P:r', failed.requestId)).toBe(true);
    expect(await caps.release(brandId, 'P:r', failed.requestId)).toBe(false);
    expect(await caps.spent(brandId, 'o1')).toBe(0);
    const again = candidate({ maxSends: 1, perShopperTotal: 1, cooldownMinutes: 60 });
    expect(await reserveOnce(caps, 'P:r', [again], { nowMs: now + 1000 })).toMatchObject({ reservedOfferId: 'o1' });
    expect(await caps.confirm(brandId, 'P:r', again.requestId)).toBe(true);
    expect(await caps.release(brandId, 'P:r', again.requestId)).toBe(false);
    expect(await caps.spent(brandId, 'o1')).toBe(1);
  });

  it('lets the control group move the shopper counters without spending the budget', async () => {
    const caps = engine();
    const control = candidate({ maxSends: 1, perShopperTotal: 1, spendsBudget: false });
    expect(await reserveOnce(caps, 'P:ctl', [control])).toMatchObject({ reservedOfferId: 'o1' });
    expect(await caps.spent(brandId, 'o1')).toBe(0);
    expect(await reserveOnce(caps, 'P:ctl', [candidate({ maxSends: 1, perShopperTotal: 1 })], { nowMs: now + 1000 })).toMatchObject({ refused: [{ reason: 'cap_total' }] });
  });
});
