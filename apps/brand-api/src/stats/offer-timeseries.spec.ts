import { resolveWindow, toTimeseries } from './offer-timeseries';

const now = new Date('2026-01-05T09:20:00Z');

describe('offer timeseries', () => {
  it('aligns the window on whole buckets, with defaults from the clock', () => {
    expect(resolveWindow({ bucket: 'hour' }, now)).toEqual({ bucket: 'hour', from: new Date('2026-01-04T10:00:00Z'), to: new Date('2026-01-05T10:00:00Z') });
    expect(resolveWindow({ bucket: 'day', from: '2026-01-01T13:00:00+01:00', to: '2026-01-03T00:00:00Z' }, now)).toEqual({
      bucket: 'day',
      from: new Date('2026-01-01T00:00:00Z'),
      to: new Date('2026-01-03T00:00:00Z'),
    });
  });

  it('refuses an empty or reversed window and one with too many points, naming the field', () => {
    expect(resolveWindow({ bucket: 'hour', from: '2026-01-05T10:00:00Z', to: '2026-01-05T09:00:00Z' }, now)).toEqual({ field: 'to', message: 'must be after from' });
    expect(resolveWindow({ bucket: 'hour', from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, now)).toMatchObject({ field: 'from' });
    expect(resolveWindow({ bucket: 'day', from: '2025-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, now)).toMatchObject({ bucket: 'day' });
  });

  it('puts each count in its bucket, zero-fills the others and splits skips by reason', () => {
    const window = { bucket: 'hour' as const, from: new Date('2026-01-05T08:00:00Z'), to: new Date('2026-01-05T11:00:00Z') };
    const at8 = new Date('2026-01-05T08:00:00Z');
    const at10 = new Date('2026-01-05T10:00:00Z');
    const series = toTimeseries('o1', null, window, [
      { bucket: at8, kind: 'requested', reason: null, n: 5 },
      { bucket: at8, kind: 'sent', reason: null, n: 3 },
      { bucket: at8, kind: 'skipped', reason: 'outside_window', n: 1 },
      { bucket: at8, kind: 'skipped', reason: null, n: 1 },
      { bucket: at10, kind: 'delivered', reason: null, n: 3 },
      { bucket: at10, kind: 'clicked', reason: null, n: 1 },
      { bucket: new Date('2026-01-05T12:00:00Z'), kind: 'sent', reason: null, n: 9 },
    ]);
    expect(series.points.map((p) => p.at)).toEqual(['2026-01-05T08:00:00.000Z', '2026-01-05T09:00:00.000Z', '2026-01-05T10:00:00.000Z']);
    expect(series.points[0]).toMatchObject({ requested: 5, sent: 3, skipped: 2, skippedByReason: { outside_window: 1, unspecified: 1 } });
    expect(series.points[1]).toMatchObject({ requested: 0, sent: 0, delivered: 0, skippedByReason: {} });
    expect(series.points[2]).toMatchObject({ delivered: 3, clicked: 1, sent: 0 });
  });
});
