import { judgeFix } from './location-quality';

const policy = { maxAccuracyM: 100, maxFixAgeSeconds: 300, maxSpeedKmh: 250 };
const now = Date.parse('2026-11-25T10:00:00Z');
const fix = (over: object = {}) => ({ lat: 48.8606, lng: 2.3376, accuracyM: 10, sharedAtMs: now - 1000, ...over });

describe('judgeFix', () => {
  it('accepts a fresh, precise fix, and a pin without accuracy', () => {
    expect(judgeFix(fix(), null, now, policy)).toBeNull();
    expect(judgeFix(fix({ accuracyM: null }), null, now, policy)).toBeNull();
  });

  it('rejects poor accuracy, stale and future fixes', () => {
    expect(judgeFix(fix({ accuracyM: 150 }), null, now, policy)).toBe('poor_accuracy');
    expect(judgeFix(fix({ sharedAtMs: now - 301_000 }), null, now, policy)).toBe('stale');
    expect(judgeFix(fix({ sharedAtMs: now + 120_000 }), null, now, policy)).toBe('from_future');
  });

  it('rejects fixes out of order and jumps faster than 250 km/h', () => {
    const previous = fix({ sharedAtMs: now - 10_000 });
    expect(judgeFix(fix({ sharedAtMs: now - 20_000 }), previous, now, policy)).toBe('out_of_order');
    // Paris to Lyon (392 km) in 9 seconds.
    expect(judgeFix(fix({ lat: 45.764, lng: 4.8357 }), previous, now, policy)).toBe('impossible_speed');
    // 500 m in 9 s is 200 km/h: fast, but possible.
    expect(judgeFix(fix({ lat: 48.8651 }), previous, now, policy)).toBeNull();
  });
});
