import { DecisionLogEntry, createEvent } from '@app/contracts';
import { StackClient, northOf, stackUrls, waitFor, waitForProjections, zoneWhere } from '@app/testing';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { E2E } from '../setup/e2e-stack';
import { fixKey, visitsKey } from '../../apps/geofence/src/locations/visit-state.repository';

jest.setTimeout(120_000);

/**
 * The promotion engine's rules end to end: real Kafka, Redis, Postgres and the six apps. Shoppers
 * talk and share locations through the Messenger simulator; what they receive is read from the
 * simulator's inbox, and why, from the engine's decision log as brand-api serves it to the brand
 * (GET /v1/decisions).
 *
 * The engine's verdicts are asserted from the decision log, strictly: each skip names its reason
 * and requests nothing. The inbox is checked for what must arrive, not for what must not: on this
 * machine one Kafka broker serves every engineer's stack, and other checkouts' engines (older code,
 * without these rules) also read this stack's transitions and may request sends that this stack's
 * delivery service then performs. Topics per stack would remove that; see docs/promotion-engine.md.
 *
 * Every scenario has its own store, 3 km from the others, so offers of one never meet another.
 * Quiet hours default to 21:00–09:00 in the shopper's zone (the store's when unknown): stores sit
 * in a zone where it is daytime now, whatever the hour the suite runs at, unless night is the point.
 */
const urls = stackUrls(E2E.portBase);
/** How long to wait for the apps: generous, they share the broker and two cores with other stacks. */
const PATIENCE_MS = 60_000;
const client = new StackClient(urls, E2E.adminToken);
const base = { lat: 48.8606, lng: 2.3376 };

describe('promotion engine rules, end to end', () => {
  const run = randomBytes(4).toString('hex');
  const pageId = `pe${Date.now()}`;
  let apiKey = '';
  let brandId = '';
  let redis: Redis;
  let kafka: ReturnType<Kafka['producer']>;
  let storeIndex = 0;
  const day = zoneWhere('day', (h) => h >= 10 && h < 19);

  const decisions = (psid: string): Promise<DecisionLogEntry[]> => client.decisions<DecisionLogEntry>(apiKey, `${pageId}:${psid}`);
  const nthDecision = (psid: string, n: number) =>
    waitFor(`decision #${n} for ${psid}`, async () => {
      const log = await decisions(psid);
      return log.length >= n ? log[log.length - n] : null;
    }, PATIENCE_MS);

  /** A store of its own (3 km from the others) with the given offers; returns where it is. */
  async function storeWith(store: Record<string, unknown>, offers: Record<string, unknown>[]): Promise<{ at: { lat: number; lng: number }; offerIds: string[]; storeId: string }> {
    storeIndex += 1;
    const at = northOf(base.lat, base.lng, storeIndex * 3000);
    const created = await client.createStore(apiKey, { name: `Store ${storeIndex}`, location: at, geofence: { type: 'circle', radiusM: 80 }, timezone: day, ...store });
    const offerIds: string[] = [];
    for (const offer of offers) {
      const o = await client.createOffer(apiKey, {
        storeIds: [created.id],
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        status: 'active',
        ...offer,
      });
      offerIds.push(o.id);
    }
    // The apps may be catching up with other stacks' catalog traffic on the shared broker.
    await waitForProjections(E2E.redisUrl, [created.id], offerIds, 90_000);
    return { at, offerIds, storeId: created.id };
  }

  /** The shopper writes, then walks into the store; resolves with the decision of that visit. */
  async function walkIn(psid: string, at: { lat: number; lng: number }, n = 1, atMs = Date.now()): Promise<DecisionLogEntry> {
    const inside = northOf(at.lat, at.lng, 10);
    expect(await client.shareLocation(pageId, psid, inside.lat, inside.lng, atMs)).toBe(200);
    return nthDecision(psid, n);
  }

  /** Leaves the store (a share 1.5 km away, between two stores) so the next share is a new visit. */
  async function walkOut(psid: string, at: { lat: number; lng: number }, atMs: number): Promise<void> {
    const away = northOf(at.lat, at.lng, 1500);
    expect(await client.shareLocation(pageId, psid, away.lat, away.lng, atMs)).toBe(200);
  }

  const titlesIn = async (psid: string) => (await client.inbox(pageId, psid)).map((m) => m.body.message?.attachment?.payload?.elements?.[0].title);

  beforeAll(async () => {
    redis = new Redis(E2E.redisUrl);
    kafka = new Kafka({ clientId: `${E2E.groupPrefix}engine-e2e`, brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','), logLevel: logLevel.WARN }).producer();
    await kafka.connect();
    const brand = await client.createBrand(`Engine E2E ${run}`);
    apiKey = brand.apiKey;
    brandId = brand.id;
    await client.connectPage(apiKey, { pageId, accessToken: `EAAe2e${randomBytes(12).toString('hex')}`, appSecret: randomBytes(16).toString('hex'), verifyToken: randomBytes(10).toString('hex') });
    // Other stacks publish catalogs on the shared broker: once a store created now is projected,
    // the apps have caught up with what was published before this run.
    const sentinel = await client.createStore(apiKey, { name: 'Sentinel', location: northOf(base.lat, base.lng, -5000), geofence: { type: 'circle', radiusM: 50 }, timezone: day });
    await waitForProjections(E2E.redisUrl, [sentinel.id], [], 280_000);
  }, 300_000);

  afterAll(async () => {
    await kafka?.disconnect();
    redis?.disconnect();
  });

  it('sends the offer of highest priority and explains why the other was not chosen', async () => {
    const { at, offerIds } = await storeWith({}, [
      { name: 'Low', message: { title: `Low ${run}` }, priority: 1 },
      { name: 'High', message: { title: `High ${run}` }, priority: 5 },
    ]);
    const psid = `prio${run}`;
    expect(await client.say(pageId, psid, 'bonjour')).toBe(200);
    const decision = await walkIn(psid, at);
    expect(decision).toMatchObject({ outcome: 'send', offerId: offerIds[1], reason: null });
    expect(decision.considered).toEqual([
      expect.objectContaining({ offerId: offerIds[1], reason: 'chosen' }),
      expect.objectContaining({ offerId: offerIds[0], reason: 'outranked' }),
    ]);
    expect(decision.request?.message.title).toBe(`High ${run}`);
    await waitFor('the promotion', async () => (await titlesIn(psid)).includes(`High ${run}`), PATIENCE_MS);
  });

  it('fires each dwell offer at the first later share past its own dwell time (60 s and 600 s)', async () => {
    // A visit replayed with sharedAt in the past: the test stack accepts fixes up to 15 min old.
    const both = await storeWith({}, [
      { name: 'Minute', message: { title: `Minute ${run}` }, trigger: 'dwell', dwellSeconds: 60, priority: 5 },
      { name: 'Ten minutes', message: { title: `Ten ${run}` }, trigger: 'dwell', dwellSeconds: 600 },
    ]);
    const long = await storeWith({}, [{ name: 'Long', message: { title: `Long ${run}` }, trigger: 'dwell', dwellSeconds: 600 }]);
    const [minute, ten] = both.offerIds;
    const t0 = Date.now() - 700_000;
    const a = `dwella${run}`;
    const b = `dwellb${run}`;
    expect(await client.say(pageId, a, 'bonjour', t0 - 1000)).toBe(200);
    expect(await client.say(pageId, b, 'bonjour', t0 - 1000)).toBe(200);
    /** Shares from inside the store `seconds` after t0, and waits until the geofence has taken it. */
    const shareAt = async (psid: string, at: { lat: number; lng: number }, seconds: number) => {
      const inside = northOf(at.lat, at.lng, 10 + (seconds % 7));
      expect(await client.shareLocation(pageId, psid, inside.lat, inside.lng, t0 + seconds * 1000)).toBe(200);
      await waitFor(`the geofence to take ${psid}'s share at ${seconds} s`, async () => {
        const raw = await redis.get(fixKey(`${pageId}:${psid}`));
        return raw !== null && (JSON.parse(raw) as { sharedAtMs: number }).sharedAtMs === t0 + seconds * 1000;
      }, PATIENCE_MS);
    };
    /** How far the open visit's dwell has been emitted (the geofence's visit state). */
    const dwelled = async (psid: string, storeId: string) =>
      (JSON.parse((await redis.hget(visitsKey(`${pageId}:${psid}`), storeId)) ?? '{}') as { dwelledSeconds?: number }).dwelledSeconds;
    const dwellDecisions = async (psid: string) => (await decisions(psid)).filter((d) => d.transition === 'dwell').reverse();

    await shareAt(a, both.at, 0);
    await shareAt(b, long.at, 0);
    const [storeA, storeB] = [both.storeId, long.storeId];
    expect(await dwelled(a, storeA)).toBe(0); // the visit is open
    expect(await dwelled(b, storeB)).toBe(0);
    await shareAt(a, both.at, 30);
    expect(await dwelled(a, storeA)).toBe(0);
    await shareAt(a, both.at, 70);
    await shareAt(b, long.at, 70);
    expect(await dwelled(a, storeA)).toBe(70);
    expect(await dwelled(b, storeB)).toBe(0); // the long store's only offer asks 600 s
    const first = await waitFor('the first dwell decision', async () => (await dwellDecisions(a))[0], PATIENCE_MS);
    expect(first).toMatchObject({ outcome: 'send', offerId: minute });
    expect(first.considered).toContainEqual(expect.objectContaining({ offerId: ten, reason: 'dwell_too_short' }));

    await shareAt(a, both.at, 300);
    expect(await dwelled(a, storeA)).toBe(70); // no threshold between 70 s and 300 s
    await shareAt(a, both.at, 610);
    await shareAt(b, long.at, 610);
    expect(await dwelled(a, storeA)).toBe(610);
    expect(await dwelled(b, storeB)).toBe(610);
    const second = await waitFor('the second dwell decision', async () => (await dwellDecisions(a))[1], PATIENCE_MS);
    // The visit already had its promotion (one per visit), but the 600 s offer is no longer too short.
    expect(second.considered).toContainEqual(expect.objectContaining({ offerId: ten }));
    expect(second.considered).not.toContainEqual(expect.objectContaining({ reason: 'dwell_too_short' }));
    const onlyDwell = await waitFor('the long store dwell decision', async () => (await dwellDecisions(b))[0], PATIENCE_MS);
    expect(onlyDwell).toMatchObject({ outcome: 'send', offerId: long.offerIds[0] });

    await shareAt(a, both.at, 640);
    expect(await dwelled(a, storeA)).toBe(610); // every threshold emitted: no more dwell this visit
    expect(await dwellDecisions(a)).toHaveLength(2);
    expect(await dwellDecisions(b)).toHaveLength(1);
    await waitFor('the dwell promotions', async () => (await titlesIn(a)).includes(`Minute ${run}`) && (await titlesIn(b)).includes(`Long ${run}`), PATIENCE_MS);
  });

  it('ranks by what the shopper said they want among offers of equal priority', async () => {
    const { at, offerIds } = await storeWith({}, [
      { name: 'Coffee', message: { title: `Coffee ${run}` }, audience: { interests: ['coffee'] } },
      { name: 'Sneakers', message: { title: `Sneakers ${run}` }, audience: { interests: ['sneakers'] } },
    ]);
    const psid = `taste${run}`;
    expect(await client.say(pageId, psid, 'je cherche des baskets')).toBe(200);
    await waitFor('the interest profile', async () => (await redis.hget(`pe:interests:{b:${brandId}}:${pageId}:${psid}`, 'sneakers')) !== null, PATIENCE_MS);
    const decision = await walkIn(psid, at);
    expect(decision).toMatchObject({ outcome: 'send', offerId: offerIds[1] });
    expect(decision.considered).toContainEqual(expect.objectContaining({ offerId: offerIds[0], reason: 'audience_interests' }));
  });

  it('never spends more than the budget (maxSends)', async () => {
    const { at, offerIds } = await storeWith({}, [{ name: 'Two only', message: { title: `Budget ${run}` }, caps: { maxSends: 2 } }]);
    const outcomes: (string | null)[] = [];
    for (const who of ['a', 'b', 'c']) {
      const psid = `budget${who}${run}`;
      expect(await client.say(pageId, psid, 'hello')).toBe(200);
      outcomes.push((await walkIn(psid, at)).reason);
    }
    expect(outcomes).toEqual([null, null, 'budget_exhausted']);
    expect(Number(await redis.hget(`pe:budget:{b:${brandId}}`, offerIds[0]))).toBe(2);
    expect((await decisions(`budgetc${run}`))[0].request).toBeNull();
    for (const who of ['a', 'b']) await waitFor(`promotion ${who}`, async () => (await titlesIn(`budget${who}${run}`)).includes(`Budget ${run}`), PATIENCE_MS);
  });

  it('holds the per-day cap across visits, and the brand cooldown', async () => {
    const capped = await storeWith({}, [{ name: 'Daily', message: { title: `Daily ${run}` }, caps: { perShopperPerDay: 1 } }]);
    const psid = `daily${run}`;
    const t0 = Date.now() - 120_000;
    expect(await client.say(pageId, psid, 'salut', t0 - 1000)).toBe(200);
    expect(await walkIn(psid, capped.at, 1, t0)).toMatchObject({ outcome: 'send' });
    await walkOut(psid, capped.at, t0 + 40_000);
    const second = await walkIn(psid, capped.at, 2, t0 + 80_000);
    expect(second).toMatchObject({ outcome: 'skip', reason: 'cap_per_day', request: null });
    expect(second.visitId).not.toBe((await decisions(psid))[1].visitId);

    const cool = await storeWith({}, [{ name: 'Cool', message: { title: `Cool ${run}` }, cooldownMinutes: 60 }]);
    const other = `cool${run}`;
    expect(await client.say(pageId, other, 'hi', t0 - 1000)).toBe(200);
    expect(await walkIn(other, cool.at, 1, t0)).toMatchObject({ outcome: 'send' });
    await walkOut(other, cool.at, t0 + 40_000);
    expect(await walkIn(other, cool.at, 2, t0 + 80_000)).toMatchObject({ outcome: 'skip', reason: 'cooldown', request: null });
    await waitFor('the first promotions', async () => (await titlesIn(psid)).includes(`Daily ${run}`) && (await titlesIn(other)).includes(`Cool ${run}`), PATIENCE_MS);
  });

  it('sends nothing after STOP, and again after START', async () => {
    const { at } = await storeWith({}, [{ name: 'Consent', message: { title: `Consent ${run}` } }]);
    const psid = `consent${run}`;
    const t0 = Date.now() - 120_000;
    expect(await client.say(pageId, psid, 'STOP', t0 - 2000)).toBe(200);
    expect(await walkIn(psid, at, 1, t0)).toMatchObject({ outcome: 'skip', reason: 'opted_out', request: null });
    expect(await client.say(pageId, psid, 'START', t0 + 20_000)).toBe(200);
    await walkOut(psid, at, t0 + 40_000);
    expect(await walkIn(psid, at, 2, t0 + 80_000)).toMatchObject({ outcome: 'send' });
    await waitFor('the promotion after START', async () => (await titlesIn(psid)).includes(`Consent ${run}`), PATIENCE_MS);
  });

  it('skips a closed store and the shopper quiet hours, and says so', async () => {
    const closed = await storeWith({ openingHours: 'Mo-Su 03:00-04:00' }, [{ name: 'Closed', message: { title: `Closed ${run}` } }]);
    const psid = `closed${run}`;
    expect(await client.say(pageId, psid, 'hello')).toBe(200);
    expect(await walkIn(psid, closed.at)).toMatchObject({ outcome: 'skip', reason: 'store_closed', request: null });

    const night = await storeWith({ timezone: zoneWhere('night', (h) => h >= 22 || h < 7) }, [{ name: 'Night', message: { title: `Night ${run}` } }]);
    const owl = `owl${run}`;
    expect(await client.say(pageId, owl, 'hello')).toBe(200);
    const decision = await walkIn(owl, night.at);
    expect(decision).toMatchObject({ outcome: 'skip', reason: 'quiet_hours', request: null });
    expect(decision.considered).toEqual([expect.objectContaining({ reason: 'quiet_hours' })]);
  });

  it('skips outside the 24-hour window when the location did not come through the chat', async () => {
    const { at } = await storeWith({}, [{ name: 'Window', message: { title: `Window ${run}` } }]);
    const psid = `silent${run}`;
    // The shopper wrote 25 hours ago, then their app shares a location (REST ingest, not a message).
    expect(await client.say(pageId, psid, 'hello', Date.now() - 25 * 3_600_000)).toBe(200);
    const inside = northOf(at.lat, at.lng, 10);
    const now = new Date().toISOString();
    const event = createEvent('shopper.location.v1', 'shopper.location-shared', {
      shopperId: `${pageId}:${psid}`, pageId, psid, brandId, lat: inside.lat, lng: inside.lng, accuracyM: 10, source: 'api', sharedAt: now, receivedAt: now, messageId: null,
    });
    await kafka.send({ topic: 'shopper.location.v1', acks: -1, messages: [{ key: event.data.shopperId, value: JSON.stringify(event) }] });
    expect(await nthDecision(psid, 1)).toMatchObject({ outcome: 'skip', reason: 'outside_window', request: null });
  });

  describe('brand settings and experiments set through the brand API', () => {
    const http = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${urls.brandApi}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const settingsVersion = async () => {
      const raw = await redis.hget(`pe:brand:{b:${brandId}}`, 'snapshot');
      return raw ? (JSON.parse(raw) as { version: number }).version : 0;
    };

    it('applies quiet hours set with PUT /v1/settings, and lifts them with null', async () => {
      const { at } = await storeWith({}, [{ name: 'Evening', message: { title: `Evening ${run}` } }]);
      const now = DateTime.now().setZone(day);
      const quietHours = { start: now.minus({ hours: 1 }).toFormat('HH:mm'), end: now.plus({ hours: 1 }).toFormat('HH:mm') };
      const set = await http('PUT', '/v1/settings', { quietHours });
      expect(set).toMatchObject({ status: 200, body: { quietHours } });
      expect((await http('GET', '/v1/settings')).body).toMatchObject({ quietHours });
      expect((await http('PUT', '/v1/settings', { quietHours: { start: '25:00', end: '09:00' } })).status).toBe(400);
      await waitFor('the engine to see the settings', async () => (await settingsVersion()) >= (set.body.version as number), PATIENCE_MS);
      const quiet = `quiet${run}`;
      expect(await client.say(pageId, quiet, 'bonjour')).toBe(200);
      expect(await walkIn(quiet, at)).toMatchObject({ outcome: 'skip', reason: 'quiet_hours', request: null });

      const lifted = await http('PUT', '/v1/settings', { quietHours: null });
      expect(lifted.body).toMatchObject({ quietHours: null });
      await waitFor('the engine to see no quiet hours', async () => (await settingsVersion()) >= (lifted.body.version as number), PATIENCE_MS);
      const awake = `awake${run}`;
      expect(await client.say(pageId, awake, 'bonjour')).toBe(200);
      expect(await walkIn(awake, at)).toMatchObject({ outcome: 'send' });
    });

    it('targets shoppers by tag (PUT /v1/shoppers/:id/tags) and by locale, and keeps quiet hours in the shopper zone (POST /v1/locations)', async () => {
      const { at, offerIds } = await storeWith({}, [
        { name: 'Members', message: { title: `Members ${run}` }, priority: 5, audience: { shopperTags: ['vip'] } },
        { name: 'German', message: { title: `German ${run}` }, priority: 4, audience: { locales: ['de'] } },
        { name: 'Anyone', message: { title: `Anyone ${run}` }, priority: 1 },
      ]);
      const [members, german, anyone] = offerIds;
      const shopperHash = (psid: string) => redis.hgetall(`pe:shopper:{b:${brandId}}:${pageId}:${psid}`);
      /** The brand's app reports the shopper 1.5 km away (no store there) with what the device says. */
      const appReport = async (psid: string, context: Record<string, string>) => {
        const away = northOf(at.lat, at.lng, 1500);
        const response = await fetch(`${urls.gateway}/v1/locations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          // Taken a minute before the walk-in: 1.5 km in a minute is a plausible speed, not a jump.
          body: JSON.stringify({ shopperId: `${pageId}:${psid}`, lat: away.lat, lng: away.lng, accuracyM: 10, takenAt: Date.now() - 60_000, ...context }),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };

      // Tags: validated, then projected into the engine's shopper state.
      const vip = `vip${run}`;
      expect(await client.say(pageId, vip, 'bonjour')).toBe(200);
      const refused = await http('PUT', `/v1/shoppers/${pageId}:${vip}/tags`, { tags: ['ok', 'x'.repeat(65)] });
      expect(refused).toMatchObject({ status: 400, body: { details: [expect.objectContaining({ field: 'tags.1' })] } });
      expect((await http('PUT', `/v1/shoppers/other-page:${vip}/tags`, { tags: ['vip'] })).status).toBe(404);
      expect(await http('PUT', `/v1/shoppers/${pageId}:${vip}/tags`, { tags: ['VIP', 'VIP', 'loyal'] })).toMatchObject({ status: 200, body: { tags: ['VIP', 'loyal'], tagsEvent: 'published' } });
      await waitFor('the tags in the engine', async () => (await shopperHash(vip)).tags === '["VIP","loyal"]', PATIENCE_MS);
      const tagged = await walkIn(vip, at);
      expect(tagged).toMatchObject({ outcome: 'send', offerId: members });

      // Locale from the device (the app's report; the location page sends the browser's).
      const deutsch = `de${run}`;
      expect(await client.say(pageId, deutsch, 'hallo')).toBe(200);
      expect((await appReport(deutsch, { locale: 'de-DE', timezone: 'Mars/Olympus' })).body).toMatchObject({ details: [expect.objectContaining({ field: 'timezone' })] });
      expect((await appReport(deutsch, { locale: 'de-DE', timezone: day })).status).toBe(202);
      await waitFor('the locale in the engine', async () => (await shopperHash(deutsch)).locale === 'de-DE', PATIENCE_MS);
      const localised = await walkIn(deutsch, at);
      expect(localised).toMatchObject({ outcome: 'send', offerId: german });
      expect(localised.considered).toContainEqual(expect.objectContaining({ offerId: members, reason: 'audience_tags' }));

      // Neither: the offer for everyone, and why the others were not for them.
      const plain = `plain${run}`;
      expect(await client.say(pageId, plain, 'bonjour')).toBe(200);
      const fallback = await walkIn(plain, at);
      expect(fallback).toMatchObject({ outcome: 'send', offerId: anyone });
      expect(fallback.considered).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ offerId: members, reason: 'audience_tags' }),
          expect.objectContaining({ offerId: german, reason: 'audience_locale' }),
        ]),
      );

      // Quiet hours in the shopper's own zone: night where they live, daytime at the store.
      const traveller = `tz${run}`;
      const night = zoneWhere('night', (h) => h >= 22 || h < 7);
      expect(await client.say(pageId, traveller, 'bonjour')).toBe(200);
      expect((await appReport(traveller, { timezone: night })).status).toBe(202);
      await waitFor('the time zone in the engine', async () => (await shopperHash(traveller)).timezone === night, PATIENCE_MS);
      // The test above lifted this brand's quiet hours: set them again for this check, then lift them.
      const quiet = await http('PUT', '/v1/settings', { quietHours: { start: '21:00', end: '09:00' } });
      expect(quiet.status).toBe(200);
      await waitFor('the engine to see the quiet hours', async () => (await settingsVersion()) >= (quiet.body.version as number), PATIENCE_MS);
      expect(await walkIn(traveller, at)).toMatchObject({ outcome: 'skip', reason: 'quiet_hours', request: null });
      const lifted = await http('PUT', '/v1/settings', { quietHours: null });
      await waitFor('the engine to see no quiet hours', async () => (await settingsVersion()) >= (lifted.body.version as number), PATIENCE_MS);
    });

    it('sends an A/B variant created with the offer, and holds out a full control group', async () => {
      const variants = [{ id: 'b', weight: 1, message: { title: `Variant B ${run}` } }];
      expect((await http('POST', '/v1/offers', { name: 'Bad', message: { title: 'x' }, startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 60_000).toISOString(), controlShare: 2 })).status).toBe(400);
      const { at, offerIds } = await storeWith({}, [{ name: 'AB', message: { title: `Default ${run}` }, variants, controlShare: 0 }]);
      expect((await http('GET', `/v1/offers/${offerIds[0]}`)).body).toMatchObject({ variants, controlShare: 0 });
      const tester = `ab${run}`;
      expect(await client.say(pageId, tester, 'bonjour')).toBe(200);
      const decision = await walkIn(tester, at);
      expect(decision).toMatchObject({ outcome: 'send', arm: 'b' });
      expect(decision.request?.message.title).toBe(`Variant B ${run}`);

      const held = await storeWith({}, [{ name: 'Held out', message: { title: `Held ${run}` }, controlShare: 0.9, variants: [] }]);
      // With 90 % held out, some of ten shoppers land in control: decided, recorded, not sent.
      const outcomes: string[] = [];
      for (let i = 0; i < 10; i += 1) {
        const psid = `ctl${i}${run}`;
        expect(await client.say(pageId, psid, 'bonjour')).toBe(200);
        outcomes.push(String((await walkIn(psid, held.at)).outcome));
      }
      expect(outcomes).toContain('control');
    });
  });
});
