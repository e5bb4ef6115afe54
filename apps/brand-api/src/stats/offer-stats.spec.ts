import { toOfferStats } from './offer-stats';

describe('offer stats', () => {
  it('folds outcomes, receipts and reasons', () => {
    const stats = toOfferStats('o1', [
      { status: 'sent', reason: null, n: 5, delivered: 4, read: 2, clicked: 1 },
      { status: 'skipped', reason: 'outside_window', n: 2, delivered: 0, read: 0, clicked: 0 },
      { status: 'skipped', reason: 'opted_out', n: 1, delivered: 0, read: 0, clicked: 0 },
      { status: 'failed', reason: null, n: 1, delivered: 0, read: 0, clicked: 0 },
      { status: 'expired', reason: 'stale', n: 1, delivered: 0, read: 0, clicked: 0 },
    ]);
    expect(stats).toEqual({
      offerId: 'o1',
      requested: 10,
      sent: 5,
      delivered: 4,
      read: 2,
      clicked: 1,
      failed: 1,
      expired: 1,
      skipped: 3,
      skippedByReason: { outside_window: 2, opted_out: 1 },
      failedByReason: { unspecified: 1 },
    });
  });

  it('is all zeros for an offer never sent', () => {
    expect(toOfferStats('o2', []).requested).toBe(0);
  });
});
