import { retryDelayMs } from './retry-policy';

describe('retryDelayMs', () => {
  const delays = [1_000, 10_000, 60_000, 600_000];
  it('backs off exponentially with ±20 % jitter, then gives up', () => {
    expect(retryDelayMs(1, delays, 0)).toBe(800);
    expect(retryDelayMs(1, delays, 0.999)).toBeLessThanOrEqual(1_200);
    expect(retryDelayMs(2, delays, 0.5)).toBe(10_000);
    expect(retryDelayMs(4, delays, 0.5)).toBe(600_000);
    expect(retryDelayMs(5, delays, 0.5)).toBeNull();
    expect(retryDelayMs(0, delays, 0.5)).toBeNull();
  });
});
