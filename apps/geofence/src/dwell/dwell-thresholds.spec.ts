import type { OfferSnapshot } from '@app/contracts';
import { BrandDwellThresholds, dwellOfferOf } from './dwell-thresholds';

const offer = (over: Partial<OfferSnapshot>): OfferSnapshot => ({
  offerId: 'o1', brandId: 'b1', version: 1, name: 'o', storeIds: [], message: { title: 't' }, locales: {},
  startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2027-01-01T00:00:00.000Z', trigger: 'dwell', dwellSeconds: 60,
  caps: {}, cooldownMinutes: null, priority: 0, audience: null, status: 'active', updatedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

describe('dwellOfferOf', () => {
  it('keeps active dwell offers with their stores', () => {
    expect(dwellOfferOf(offer({ storeIds: ['s1'] }))).toEqual({ dwellSeconds: 60, storeIds: ['s1'] });
  });
  it.each([
    ['an enter offer', { trigger: 'enter' as const, dwellSeconds: null }],
    ['a draft', { status: 'draft' as const }],
    ['a paused offer', { status: 'paused' as const }],
    ['an ended offer', { status: 'ended' as const }],
  ])('ignores %s', (_, over) => {
    expect(dwellOfferOf(offer(over))).toBeNull();
  });
});

describe('BrandDwellThresholds', () => {
  it('merges brand-wide offers into every store, ascending and distinct', () => {
    const t = new BrandDwellThresholds([
      { dwellSeconds: 600, storeIds: ['a'] },
      { dwellSeconds: 60, storeIds: ['a', 'b'] },
      { dwellSeconds: 300, storeIds: [] },
      { dwellSeconds: 60, storeIds: [] },
    ]);
    expect(t.forStore('a')).toEqual([60, 300, 600]);
    expect(t.forStore('b')).toEqual([60, 300]);
    expect(t.forStore('elsewhere')).toEqual([60, 300]);
  });
  it('has no thresholds without dwell offers', () => {
    expect(BrandDwellThresholds.NONE.forStore('a')).toEqual([]);
  });
});
