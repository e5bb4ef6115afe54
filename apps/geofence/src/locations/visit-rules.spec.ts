import { prepareFence } from '@app/geo';
import { OpenVisit, nextDwellThreshold, proposeTransitions } from './visit-rules';

describe('nextDwellThreshold', () => {
  it.each([
    [[60, 600], 0, 59, null],
    [[60, 600], 0, 60, 60],
    [[60, 600], 0, 700, 60],
    [[60, 600], 70, 300, null],
    [[60, 600], 70, 600, 600],
    [[60, 600], 610, 5000, null],
    [[], 0, 5000, null],
  ])('thresholds %j, emitted up to %i s, %i s inside → %j', (thresholds, dwelled, elapsed, expected) => {
    expect(nextDwellThreshold(thresholds, dwelled, elapsed)).toBe(expected);
  });
});

describe('proposeTransitions: dwell per offer', () => {
  const location = { lat: 48.8606, lng: 2.3376 };
  const cafe = (dwellThresholdsS: number[]) => ({ storeId: 'cafe', location, fence: prepareFence({ location, geofence: { type: 'circle', radiusM: 50 } }), dwellThresholdsS });
  const visit = (dwelledSeconds: number): Map<string, OpenVisit> => new Map([['cafe', { visitId: 'v1', enteredAtMs: 0, dwelledSeconds }]]);
  const at = (seconds: number) => ({ ...location, accuracyM: 5, sharedAtMs: seconds * 1000 });
  const policy = { exitHysteresisM: 30 };

  it('proposes one dwell with the time inside when shares cross thresholds, naming the first crossed', () => {
    expect(proposeTransitions(at(700), [cafe([60, 600])], visit(0), policy).dwell).toEqual([
      { storeId: 'cafe', visitId: 'v1', distanceM: 0, dwellSeconds: 700, thresholdS: 60 },
    ]);
    expect(proposeTransitions(at(700), [cafe([60, 600])], visit(70), policy).dwell).toEqual([
      { storeId: 'cafe', visitId: 'v1', distanceM: 0, dwellSeconds: 700, thresholdS: 600 },
    ]);
  });

  it('proposes no dwell before the next threshold, after the last one, or without dwell offers', () => {
    expect(proposeTransitions(at(59), [cafe([60, 600])], visit(0), policy).dwell).toEqual([]);
    expect(proposeTransitions(at(599), [cafe([60, 600])], visit(70), policy).dwell).toEqual([]);
    expect(proposeTransitions(at(9000), [cafe([60, 600])], visit(610), policy).dwell).toEqual([]);
    expect(proposeTransitions(at(9000), [cafe([])], visit(0), policy)).toEqual({ enter: [], dwell: [], exit: [] });
  });
});
