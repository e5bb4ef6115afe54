import { distance, point } from '@turf/turf';
import { distanceM, fenceReachM, isInsideFence } from './fence';

const louvre = { lat: 48.8606, lng: 2.3376 };

describe('distanceM', () => {
  it('measures Paris to Lyon as about 392 km', () => {
    const lyon = { lat: 45.764, lng: 4.8357 };
    expect(distanceM(louvre, lyon) / 1000).toBeCloseTo(392.4, 0);
  });

  it('is turf\'s haversine distance', () => {
    const lyon = { lat: 45.764, lng: 4.8357 };
    expect(distanceM(louvre, lyon)).toBeCloseTo(distance(point([louvre.lng, louvre.lat]), point([lyon.lng, lyon.lat]), { units: 'meters' }), 6);
  });

  it('is zero for the same point', () => {
    expect(distanceM(louvre, louvre)).toBe(0);
  });
});

describe('isInsideFence, circle', () => {
  const store = { location: louvre, geofence: { type: 'circle' as const, radiusM: 100 } };

  it('contains the centre and a point 90 m away', () => {
    expect(isInsideFence(louvre, store)).toBe(true);
    // 0.00081° of latitude is about 90 m.
    expect(isInsideFence({ lat: louvre.lat + 0.00081, lng: louvre.lng }, store)).toBe(true);
  });

  it('excludes a point 110 m away, unless the margin widens the fence', () => {
    const p = { lat: louvre.lat + 0.00099, lng: louvre.lng };
    expect(isInsideFence(p, store)).toBe(false);
    expect(isInsideFence(p, store, 20)).toBe(true);
  });
});

describe('isInsideFence, polygon with a hole', () => {
  // A 0.01° square around the Louvre with a 0.002° hole in its middle.
  const outer: [number, number][] = [
    [2.3326, 48.8556],
    [2.3426, 48.8556],
    [2.3426, 48.8656],
    [2.3326, 48.8656],
    [2.3326, 48.8556],
  ];
  const hole: [number, number][] = [
    [2.3366, 48.8596],
    [2.3386, 48.8596],
    [2.3386, 48.8616],
    [2.3366, 48.8616],
    [2.3366, 48.8596],
  ];
  const store = { location: louvre, geofence: { type: 'polygon' as const, coordinates: [outer, hole] } };

  it('contains a point in the ring and not one in the hole or outside', () => {
    expect(isInsideFence({ lat: 48.857, lng: 2.334 }, store)).toBe(true);
    expect(isInsideFence(louvre, store)).toBe(false);
    expect(isInsideFence({ lat: 48.87, lng: 2.334 }, store)).toBe(false);
  });

  it('reaches as far as its farthest vertex', () => {
    expect(fenceReachM(store)).toBeCloseTo(distanceM(louvre, { lat: 48.8556, lng: 2.3326 }), 6);
  });
});
