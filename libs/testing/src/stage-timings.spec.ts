import { bucketsOf, difference, quantile, stageTimings } from './stage-timings';

const exposition = (counts: [string, number][], topic = 'shopper.location.v1') =>
  [
    '# HELP kafka_consume_wait_seconds wait',
    '# TYPE kafka_consume_wait_seconds histogram',
    ...counts.map(([le, n]) => `kafka_consume_wait_seconds_bucket{le="${le}",app="geofence",topic="${topic}"} ${n}`),
    `kafka_consume_wait_seconds_bucket{le="0.1",app="geofence",topic="other"} 999`,
  ].join('\n');

describe('stage timings from Prometheus histograms', () => {
  it('reads only the series whose labels match', () => {
    const b = bucketsOf(exposition([['0.01', 1], ['0.1', 3], ['+Inf', 4]]), 'kafka_consume_wait_seconds', { topic: 'shopper.location.v1' });
    expect(b).toEqual({ le: [0.01, 0.1, Infinity], counts: [1, 3, 4] });
    expect(bucketsOf(exposition([['0.1', 1]]), 'kafka_chunk_handle_seconds', {})).toBeNull();
  });

  it('interpolates within the bucket, as histogram_quantile does', () => {
    const b = { le: [0.1, 0.2, Infinity], counts: [0, 10, 10] };
    expect(quantile(b, 0.5)).toBeCloseTo(0.15);
    expect(quantile(b, 1)).toBeCloseTo(0.2);
    // Past the last finite bound, only that bound is known.
    expect(quantile({ le: [0.1, Infinity], counts: [0, 5] }, 0.99)).toBe(0.1);
    expect(quantile({ le: [0.1, Infinity], counts: [0, 0] }, 0.5)).toBeNull();
  });

  it('takes the difference of two scrapes: the window between them', () => {
    expect(difference({ le: [1, Infinity], counts: [5, 7] }, { le: [1, Infinity], counts: [2, 3] }).counts).toEqual([3, 4]);
    const before = { gateway: '', geofence: exposition([['0.01', 100], ['0.1', 100], ['+Inf', 100]]), engine: '', delivery: '' };
    const after = { gateway: '', geofence: exposition([['0.01', 100], ['0.1', 200], ['+Inf', 200]]), engine: '', delivery: '' };
    const [row] = stageTimings(before, after, [{ stage: 'wait', app: 'geofence', metric: 'kafka_consume_wait_seconds', labels: { topic: 'shopper.location.v1' } }]);
    // The 100 observations of the window all fell in (10 ms, 100 ms]: the first scrape's do not count.
    expect(row).toEqual({ stage: 'wait', count: 100, p50Ms: 55, p95Ms: 96, p99Ms: 99 });
  });
});
