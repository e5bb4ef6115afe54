import type { GeofenceTransition, OfferSnapshot } from '@app/contracts';
import { DecisionContext, decide } from './eligibility';

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
const ctx = (over: Partial<DecisionContext> = {}): DecisionContext => ({
  transition,
  shopper: { optedOut: false, lastInboundAtMs: now - 60_000 },
  nowMs: now,
  windowHours: 24,
  ...over,
});

describe('decide', () => {
  it('chooses the active offer of highest priority', () => {
    const d = decide([offer(), offer({ offerId: 'o2', priority: 5 })], ctx());
    expect(d.offer?.offerId).toBe('o2');
    expect(d.considered).toContainEqual({ offerId: 'o1', reason: 'outranked' });
  });

  it('never sends to a shopper who opted out', () => {
    expect(decide([offer()], ctx({ shopper: { optedOut: true, lastInboundAtMs: now } })).reason).toBe('opted_out');
  });

  it('skips outside the 24-hour window, but counts a location shared in the chat as a message', () => {
    const silent = ctx({ shopper: { optedOut: false, lastInboundAtMs: now - 25 * 3_600_000 } });
    expect(decide([offer()], silent).reason).toBe('outside_window');
    expect(decide([offer()], { ...silent, transition: { ...transition, locationSource: 'messenger' } }).offer?.offerId).toBe('o1');
    expect(decide([offer()], ctx({ shopper: { optedOut: false, lastInboundAtMs: null } })).reason).toBe('outside_window');
  });

  it('names why an offer does not apply', () => {
    expect(decide([offer({ status: 'paused' })], ctx()).reason).toBe('offer_not_active');
    expect(decide([offer({ endsAt: new Date(now).toISOString() })], ctx()).reason).toBe('offer_ended');
    expect(decide([offer({ startsAt: new Date(now + 1).toISOString() })], ctx()).reason).toBe('offer_not_started');
    expect(decide([offer({ storeIds: ['other'] })], ctx()).reason).toBe('not_for_this_store');
    expect(decide([offer({ trigger: 'dwell', dwellSeconds: 60 })], ctx()).reason).toBe('trigger_mismatch');
    expect(decide([], ctx()).reason).toBe('no_offer');
  });
});
