import type { GeofenceTransition, OfferSnapshot, StoreSnapshot } from '@app/contracts';
import { DecisionContext, ReservationResult, UNKNOWN_SHOPPER, compareRanked, evaluate, explain, offerBlocks, shopperBlock, shopperZone } from './eligibility';
import { DEFAULT_QUIET_HOURS } from './local-time';

// Wednesday 2026-11-25 11:00 in Paris.
const now = Date.parse('2026-11-25T10:00:00Z');
const transition: GeofenceTransition = {
  shopperId: 'P:S',
  pageId: 'P',
  psid: 'S',
  brandId: 'b',
  storeId: 'store-1',
  transition: 'enter',
  visitId: 'v1',
  distanceM: 12,
  locationEventId: 'e1',
  locationSource: 'web',
  sharedAt: new Date(now - 1000).toISOString(),
};
const store = (over: Partial<StoreSnapshot> = {}): StoreSnapshot => ({
  storeId: 'store-1',
  brandId: 'b',
  version: 1,
  name: 'Rivoli',
  externalId: null,
  location: { lat: 48.86, lng: 2.33 },
  geofence: { type: 'circle', radiusM: 80 },
  timezone: 'Europe/Paris',
  openingHours: null,
  tags: [],
  updatedAt: new Date(now).toISOString(),
  ...over,
});
const offer = (over: Partial<OfferSnapshot> = {}): OfferSnapshot => ({
  offerId: 'o1',
  brandId: 'b',
  version: 1,
  name: 'Offer',
  storeIds: [],
  message: { title: '20% off' },
  locales: {},
  startsAt: new Date(now - 3_600_000).toISOString(),
  endsAt: new Date(now + 3_600_000).toISOString(),
  trigger: 'enter',
  dwellSeconds: null,
  caps: {},
  cooldownMinutes: null,
  priority: 0,
  audience: null,
  status: 'active',
  updatedAt: new Date(now).toISOString(),
  ...over,
});
const shopper = { ...UNKNOWN_SHOPPER, lastInboundAtMs: now - 60_000 };
const ctx = (over: Partial<DecisionContext> = {}): DecisionContext => ({
  transition,
  shopper,
  store: store(),
  nowMs: now,
  windowHours: 24,
  quietHours: DEFAULT_QUIET_HOURS,
  defaultLocale: 'fr',
  interestThreshold: 0.5,
  ...over,
});
const noCounters: ReservationResult = { reservedOfferId: null, refused: [] };

describe('shopperBlock: rules about the shopper and the store', () => {
  it.each<[string, Partial<DecisionContext>, string | null]>([
    ['an ordinary shopper in an open store', {}, null],
    ['opted out', { shopper: { ...shopper, optedOut: true } }, 'opted_out'],
    ['last message 25 h ago', { shopper: { ...shopper, lastInboundAtMs: now - 25 * 3_600_000 } }, 'outside_window'],
    ['last message 23 h 59 ago', { shopper: { ...shopper, lastInboundAtMs: now - 24 * 3_600_000 + 60_000 } }, null],
    ['never wrote', { shopper: { ...shopper, lastInboundAtMs: null } }, 'outside_window'],
    [
      'silent for days but just shared a location in the chat (a message)',
      { shopper: { ...shopper, lastInboundAtMs: null }, transition: { ...transition, locationSource: 'messenger' } },
      null,
    ],
    ['silent, location from the web page (not a message)', { shopper: { ...shopper, lastInboundAtMs: null }, transition: { ...transition, locationSource: 'web' } }, 'outside_window'],
    ['opted out wins over everything', { shopper: { ...shopper, optedOut: true, lastInboundAtMs: null } }, 'opted_out'],
    ['store projection missing', { store: null }, 'store_unknown'],
    ['store closed now (Paris 11:00)', { store: store({ openingHours: 'Mo-Su 14:00-20:00' }) }, 'store_closed'],
    ['store open now', { store: store({ openingHours: 'Mo-Su 09:00-20:00' }) }, null],
    ['store hours unparseable', { store: store({ openingHours: 'whenever' }) }, 'store_hours_invalid'],
    ['quiet hours in the store zone when the shopper zone is unknown (Tokyo 19:00 → no)', { store: store({ timezone: 'Asia/Tokyo' }) }, null],
    ['quiet hours: store in Tokyo, shopper in Auckland (23:00)', { store: store({ timezone: 'Asia/Tokyo' }), shopper: { ...shopper, timezone: 'Pacific/Auckland' } }, 'quiet_hours'],
    ['quiet hours: store in Auckland (23:00), shopper in Paris (11:00)', { store: store({ timezone: 'Pacific/Auckland' }), shopper: { ...shopper, timezone: 'Europe/Paris' } }, null],
    ['a brand without quiet hours', { store: store({ timezone: 'Pacific/Auckland' }), quietHours: null }, null],
    ['a brand whose quiet hours cover 11:00 in Paris', { quietHours: { start: '10:30', end: '12:00' } }, 'quiet_hours'],
  ])('%s → %s', (_name, over, expected) => {
    expect(shopperBlock(ctx(over))).toBe(expected);
  });

  it('reads the shopper zone from the shopper, then the store, ignoring unknown zones', () => {
    expect(shopperZone({ shopper: { ...shopper, timezone: 'Asia/Tokyo' }, store: store() })).toBe('Asia/Tokyo');
    expect(shopperZone({ shopper: { ...shopper, timezone: 'Mars/Olympus' }, store: store() })).toBe('Europe/Paris');
    expect(shopperZone({ shopper, store: null })).toBe('UTC');
  });
});

describe('offerBlocks: rules about one offer', () => {
  it.each<[string, Partial<OfferSnapshot>, Partial<DecisionContext>, string[]]>([
    ['an active offer for every store', {}, {}, []],
    ['paused', { status: 'paused' }, {}, ['offer_not_active']],
    ['draft', { status: 'draft' }, {}, ['offer_not_active']],
    ['not started', { startsAt: new Date(now + 1).toISOString() }, {}, ['offer_not_started']],
    ['ended (endsAt exclusive)', { endsAt: new Date(now).toISOString() }, {}, ['offer_ended']],
    ['for another store', { storeIds: ['other'] }, {}, ['not_for_this_store']],
    ['for this store', { storeIds: ['other', 'store-1'] }, {}, []],
    ['dwell offer on enter', { trigger: 'dwell', dwellSeconds: 60 }, {}, ['trigger_mismatch']],
    ['enter offer on dwell', {}, { transition: { ...transition, transition: 'dwell', dwellSeconds: 600 } }, ['trigger_mismatch']],
    ['dwell offer, dwelt long enough', { trigger: 'dwell', dwellSeconds: 60 }, { transition: { ...transition, transition: 'dwell', dwellSeconds: 60 } }, []],
    ['dwell offer, not long enough', { trigger: 'dwell', dwellSeconds: 120 }, { transition: { ...transition, transition: 'dwell', dwellSeconds: 90 } }, ['dwell_too_short']],
    ['dwell offer, dwell time unknown', { trigger: 'dwell', dwellSeconds: 120 }, { transition: { ...transition, transition: 'dwell' } }, ['dwell_time_unknown']],
    ['audience locale fr, shopper unknown (default fr)', { audience: { locales: ['fr'] } }, {}, []],
    ['audience locale en, shopper fr_FR', { audience: { locales: ['en'] } }, { shopper: { ...shopper, locale: 'fr_FR' } }, ['audience_locale']],
    ['audience locale fr-FR, shopper fr_FR', { audience: { locales: ['fr-FR'] } }, { shopper: { ...shopper, locale: 'fr_FR' } }, []],
    ['audience locale en, shopper en_GB', { audience: { locales: ['en'] } }, { shopper: { ...shopper, locale: 'en_GB' } }, []],
    ['audience tags, shopper untagged', { audience: { shopperTags: ['vip'] } }, {}, ['audience_tags']],
    ['audience tags, shopper tagged VIP', { audience: { shopperTags: ['vip'] } }, { shopper: { ...shopper, tags: ['VIP'] } }, []],
    ['audience interests, no profile', { audience: { interests: ['coffee'] } }, {}, ['audience_interests']],
    ['audience interests, faded interest', { audience: { interests: ['coffee'] } }, { shopper: { ...shopper, interests: { coffee: 0.2 } } }, ['audience_interests']],
    ['audience interests, one of them strong', { audience: { interests: ['coffee', 'Bakery'] } }, { shopper: { ...shopper, interests: { bakery: 1 } } }, []],
    ['every failing rule is named', { status: 'paused', storeIds: ['x'], audience: { shopperTags: ['vip'] } }, {}, ['offer_not_active', 'not_for_this_store', 'audience_tags']],
  ])('%s → %j', (_name, over, ctxOver, expected) => {
    expect(offerBlocks(offer(over), ctx(ctxOver))).toEqual(expected);
  });
});

describe('ranking', () => {
  const ranked = (o: Partial<OfferSnapshot>, interestScore = 0, distanceM = 10) => ({ offer: offer(o), interestScore, distanceM });
  it.each([
    ['priority first', ranked({ offerId: 'a', priority: 1 }, 5), ranked({ offerId: 'b', priority: 2 }), 'b'],
    ['then interest', ranked({ offerId: 'a' }, 0.6), ranked({ offerId: 'b' }, 1.2), 'b'],
    ['then distance', ranked({ offerId: 'a' }, 1, 50), ranked({ offerId: 'b' }, 1, 20), 'b'],
    ['then offerId', ranked({ offerId: 'b' }), ranked({ offerId: 'a' }), 'a'],
  ])('%s', (_name, x, y, winner) => {
    expect([x, y].sort(compareRanked)[0].offer.offerId).toBe(winner);
    expect([y, x].sort(compareRanked)[0].offer.offerId).toBe(winner);
  });

  it('ranks by interest among equal priorities, from the shopper profile', () => {
    const offers = [offer({ offerId: 'shoes', audience: { interests: ['sneakers'] } }), offer({ offerId: 'cafe', audience: { interests: ['coffee'] } })];
    const e = evaluate(offers, ctx({ shopper: { ...shopper, interests: { coffee: 2, sneakers: 0.9 } } }));
    expect(e.ranked.map((r) => r.offer.offerId)).toEqual(['cafe', 'shoes']);
  });
});

describe('evaluate and explain', () => {
  it('chooses the reserved offer, marks the others outranked and explains the rejected', () => {
    const offers = [offer({ offerId: 'o1' }), offer({ offerId: 'o2', priority: 5 }), offer({ offerId: 'o3', status: 'paused' })];
    const e = evaluate(offers, ctx());
    expect(e.ranked.map((r) => r.offer.offerId)).toEqual(['o2', 'o1']);
    const d = explain(e, { reservedOfferId: 'o2', refused: [] });
    expect(d.offer?.offerId).toBe('o2');
    expect(d.considered).toEqual([
      { offerId: 'o2', reason: 'chosen' },
      { offerId: 'o1', reason: 'outranked' },
      { offerId: 'o3', reason: 'offer_not_active' },
    ]);
  });

  it('falls back to the next offer when the counters refuse the best, and says why', () => {
    const e = evaluate([offer({ offerId: 'o1' }), offer({ offerId: 'o2', priority: 5 })], ctx());
    const d = explain(e, { reservedOfferId: 'o1', refused: [{ offerId: 'o2', reason: 'budget_exhausted' }] });
    expect(d.offer?.offerId).toBe('o1');
    expect(d.considered[0]).toEqual({ offerId: 'o2', reason: 'budget_exhausted' });
  });

  it.each<[string, OfferSnapshot[], Partial<DecisionContext>, ReservationResult, string]>([
    ['no offers', [], {}, noCounters, 'no_offer'],
    ['opted out', [offer()], { shopper: { ...shopper, optedOut: true } }, noCounters, 'opted_out'],
    ['closed store', [offer()], { store: store({ openingHours: 'Mo-Su 18:00-20:00' }) }, noCounters, 'store_closed'],
    ['one rejected offer', [offer({ status: 'paused' })], {}, noCounters, 'offer_not_active'],
    ['rejected for different reasons', [offer({ status: 'paused' }), offer({ offerId: 'o2', storeIds: ['x'] })], {}, noCounters, 'no_eligible_offer'],
    ['cap of the best offer', [offer()], {}, { reservedOfferId: null, refused: [{ offerId: 'o1', reason: 'cap_per_day' }] }, 'cap_per_day'],
    ['cooldown', [offer()], {}, { reservedOfferId: null, refused: [{ offerId: 'o1', reason: 'cooldown' }] }, 'cooldown'],
    ['one per visit', [offer()], {}, { reservedOfferId: null, refused: [{ offerId: 'o1', reason: 'one_per_visit' }] }, 'one_per_visit'],
  ])('skips with one overall reason: %s → %s', (_name, offers, over, counters, reason) => {
    const d = explain(evaluate(offers, ctx(over)), counters);
    expect(d.offer).toBeNull();
    expect(d.reason).toBe(reason);
  });

  it('lists, for a blocked shopper, the block and every rule each offer failed', () => {
    const d = explain(evaluate([offer({ status: 'paused' })], ctx({ shopper: { ...shopper, optedOut: true } })), noCounters);
    expect(d.considered).toEqual([{ offerId: 'o1', reason: 'opted_out', reasons: ['opted_out', 'offer_not_active'] }]);
  });

  it('computes the per-day cap day in the shopper zone, and the locale', () => {
    const late = Date.parse('2026-11-25T23:30:00Z');
    expect(evaluate([], ctx({ nowMs: late })).day).toBe('2026-11-26');
    expect(evaluate([], ctx({ nowMs: late, shopper: { ...shopper, timezone: 'America/New_York' } })).day).toBe('2026-11-25');
    expect(evaluate([], ctx({ shopper: { ...shopper, locale: 'en_US' } })).locale).toBe('en-US');
  });
});
