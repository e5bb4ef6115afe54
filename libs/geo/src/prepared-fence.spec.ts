import type { Geofence } from '@app/contracts';
import { bbox, booleanPointInPolygon, multiPolygon, pointToPolygonDistance } from '@turf/turf';
import fc from 'fast-check';
import { CircleFence, PolygonFence, prepareFence } from './prepared-fence';

type Ring = [number, number][];

/**
 * The compact fences give turf's answers: the reference here is turf on a feature with its bbox,
 * western longitudes shifted by +360° when a ring crosses the antimeridian (what prepareFence kept
 * before it stored flat numbers).
 */
function reference(geofence: Extract<Geofence, { type: 'polygon' | 'multipolygon' }>) {
  const raw = (geofence.type === 'polygon' ? [geofence.coordinates] : geofence.coordinates) as Ring[][];
  const wrapped = raw.flat().some((ring) => ring.some(([a], i) => i + 1 < ring.length && Math.abs(a - ring[i + 1][0]) > 180 && !(Math.abs(a) === 180 && Math.abs(ring[i + 1][0]) === 180)));
  const polygons = wrapped ? raw.map((rings) => rings.map((ring) => ring.map(([lng, lat]) => [lng < 0 ? lng + 360 : lng, lat] as [number, number]))) : raw;
  const feature = multiPolygon(polygons);
  feature.bbox = bbox(feature) as [number, number, number, number];
  const lngs = (lng: number) => (wrapped && lng < 0 ? [lng, lng + 360] : [lng]);
  const contains = (p: { lat: number; lng: number }) => lngs(p.lng).some((lng) => booleanPointInPolygon([lng, p.lat], feature));
  return {
    contains,
    distanceOutsideM: (p: { lat: number; lng: number }) =>
      contains(p) ? 0 : Math.min(...lngs(p.lng).map((lng) => Math.abs(pointToPolygonDistance([lng, p.lat], feature.geometry, { units: 'meters' })))),
  };
}

const micro = (min: number, max: number) => fc.integer({ min: min * 1e6, max: max * 1e6 }).map((n) => n / 1e6);
/** A ring of 3-7 points around a centre, closed; near ±180° it may cross the antimeridian. */
const ring = (c: { lat: number; lng: number }) =>
  fc.array(fc.tuple(micro(-0.02, 0.02), micro(-0.02, 0.02)), { minLength: 3, maxLength: 7 }).map((offsets) => {
    const pts = offsets.map(([dLng, dLat]) => {
      let lng = c.lng + dLng;
      if (lng > 180) lng -= 360;
      if (lng < -180) lng += 360;
      return [lng, Math.max(-89.9, Math.min(89.9, c.lat + dLat))] as [number, number];
    });
    return [...pts, pts[0]];
  });
const centre = fc.record({ lat: micro(-80, 80), lng: fc.oneof(micro(-180, 180), micro(179.99, 180), micro(-180, -179.99)) });
const fence = centre.chain((location) =>
  fc.oneof(
    fc.tuple(ring(location), fc.boolean()).map(([r, multi]) => (multi ? { type: 'multipolygon' as const, coordinates: [[r]] } : { type: 'polygon' as const, coordinates: [r] })),
    fc.tuple(ring(location), ring({ lat: location.lat + 0.03, lng: location.lng })).map(([a, b]) => ({ type: 'multipolygon' as const, coordinates: [[a], [b]] })),
  ).map((geofence) => ({ location, geofence })),
);

describe('PolygonFence', () => {
  it('answers as turf does, inside and outside, across the antimeridian too', () => {
    fc.assert(
      fc.property(fence, fc.array(fc.tuple(micro(-0.03, 0.03), micro(-0.03, 0.03)), { minLength: 1, maxLength: 8 }), ({ location, geofence }, offsets) => {
        const prepared = prepareFence({ location, geofence });
        const expected = reference(geofence);
        expect(prepared).toBeInstanceOf(PolygonFence);
        for (const [dLng, dLat] of offsets) {
          let lng = location.lng + dLng;
          if (lng > 180) lng -= 360;
          if (lng < -180) lng += 360;
          const p = { lat: Math.max(-90, Math.min(90, location.lat + dLat)), lng };
          expect(prepared.contains(p)).toBe(expected.contains(p));
          expect(prepared.distanceOutsideM(p)).toBe(expected.distanceOutsideM(p));
        }
        // A vertex is on the boundary: inside.
        const [lng0, lat0] = (geofence.type === 'polygon' ? geofence.coordinates[0] : geofence.coordinates[0][0])[0];
        expect(prepared.contains({ lat: lat0, lng: lng0 })).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('gives back the geofence it was made from, number for number', () => {
    fc.assert(
      fc.property(fence, ({ location, geofence }) => {
        const prepared = prepareFence({ location, geofence }) as PolygonFence;
        expect(prepared.toGeofence()).toEqual(geofence);
        expect(prepared.vertexCount).toBe((geofence.type === 'polygon' ? [geofence.coordinates] : geofence.coordinates).flat(2).length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('CircleFence', () => {
  it('shares the place\'s location and gives back its circle', () => {
    const location = { lat: 48.8606, lng: 2.3376 };
    const prepared = prepareFence({ location, geofence: { type: 'circle', radiusM: 100 } });
    expect(prepared).toBeInstanceOf(CircleFence);
    expect((prepared as CircleFence).center).toBe(location);
    expect(prepared.toGeofence()).toEqual({ type: 'circle', radiusM: 100 });
    expect(prepared.contains({ lat: location.lat + 0.00081, lng: location.lng })).toBe(true);
    expect(prepared.distanceOutsideM({ lat: location.lat + 0.0018, lng: location.lng })).toBeCloseTo(100.15, 1);
  });
});
