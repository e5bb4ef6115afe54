import { funnel, funnelSeries, skipReasons, skipSeries, totalsOf, type OfferTimeseries, type TimeseriesPoint } from './results';

const point = (at: string, over: Partial<TimeseriesPoint>): TimeseriesPoint => ({
  at, requested: 0, sent: 0, delivered: 0, read: 0, clicked: 0, skipped: 0, failed: 0, expired: 0, skippedByReason: {}, ...over,
});

const series: OfferTimeseries = {
  offerId: 'o1',
  storeId: null,
  bucket: 'hour',
  from: '2026-01-05T08:00:00.000Z',
  to: '2026-01-05T10:00:00.000Z',
  points: [
    point('2026-01-05T08:00:00.000Z', { requested: 4, sent: 2, delivered: 2, skipped: 2, skippedByReason: { opted_out: 1, outside_window: 1 } }),
    point('2026-01-05T09:00:00.000Z', { requested: 3, sent: 1, read: 1, skipped: 2, skippedByReason: { outside_window: 2 } }),
  ],
};

describe('console results', () => {
  it('gives each funnel step its share of the previous one', () => {
    expect(funnel({ requested: 10, sent: 8, delivered: 8, read: 0, clicked: 0 })).toEqual([
      { step: 'requested', count: 10, ofPrevious: null },
      { step: 'sent', count: 8, ofPrevious: 0.8 },
      { step: 'delivered', count: 8, ofPrevious: 1 },
      { step: 'read', count: 0, ofPrevious: 0 },
      { step: 'clicked', count: 0, ofPrevious: null },
    ]);
  });

  it('orders skip reasons by how often they happened and keeps one series each', () => {
    expect(skipReasons(series.points)).toEqual(['outside_window', 'opted_out']);
    expect(skipSeries(series).datasets).toEqual([
      { reason: 'outside_window', data: [1, 2] },
      { reason: 'opted_out', data: [1, 0] },
    ]);
  });

  it('turns the points into one line per funnel step, and sums them', () => {
    const lines = funnelSeries(series);
    expect(lines.labels).toHaveLength(2);
    expect(lines.datasets.find((d) => d.step === 'sent')?.data).toEqual([2, 1]);
    expect(totalsOf(series.points)).toEqual({ requested: 7, sent: 3, delivered: 2, read: 1, clicked: 0, skipped: 4 });
  });
});
