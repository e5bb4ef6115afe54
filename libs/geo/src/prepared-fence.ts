import { bbox as turfBbox, booleanPointInPolygon, multiPolygon, pointToPolygonDistance } from '@turf/turf';
import type { Feature, MultiPolygon } from 'geojson';
import { FencedPlace, LatLng, distanceM } from './fence';

type Ring = [number, number][];

/**
 * A fence made ready for many point tests: the turf geometry is built once (with its bounding box,
 * which turf checks first), and a ring spanning more than 180° of longitude is read as crossing
 * the antimeridian (its western longitudes shifted by +360°) instead of as a band around the world.
 */
export interface PreparedFence {
  /** Inside or on the boundary. */
  contains(position: LatLng): boolean;
  /** Metres from the position to the fence's area; 0 inside. */
  distanceOutsideM(position: LatLng): number;
  /** How far from the place's location the fence reaches: what an index search must cover. */
  readonly reachM: number;
}

/**
 * A ring crosses the antimeridian when one of its edges jumps more than 180° of longitude, unless
 * both ends sit on ±180° (the edge of a polar cap drawn along a pole or the date line itself).
 */
function crossesAntimeridian(rings: Ring[]): boolean {
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [a, b] = [ring[i][0], ring[i + 1][0]];
      if (Math.abs(a - b) > 180 && !(Math.abs(a) === 180 && Math.abs(b) === 180)) return true;
    }
  }
  return false;
}

const unwrap = (rings: Ring[]): Ring[] => rings.map((ring) => ring.map(([lng, lat]) => [lng < 0 ? lng + 360 : lng, lat] as [number, number]));

/** Longitudes at which to test a position: itself, and +360° when the fence was unwrapped. */
function testLongitudes(lng: number, wrapped: boolean): number[] {
  return wrapped && lng < 0 ? [lng, lng + 360] : [lng];
}

/** Samples per polygon edge when measuring reach: a planar lng/lat edge can bulge past its ends. */
const EDGE_SAMPLES = 8;

function polygonReachM(location: LatLng, polygons: Ring[][]): number {
  let reach = 0;
  for (const rings of polygons) {
    const ring = rings[0];
    for (let i = 0; i + 1 < ring.length; i++) {
      const [lng1, lat1] = ring[i];
      const [lng2, lat2] = ring[i + 1];
      for (let s = 0; s < EDGE_SAMPLES; s++) {
        const f = s / EDGE_SAMPLES;
        let lng = lng1 + (lng2 - lng1) * f;
        if (lng > 180) lng -= 360;
        reach = Math.max(reach, distanceM(location, { lat: lat1 + (lat2 - lat1) * f, lng }));
      }
    }
  }
  return reach;
}

export function prepareFence(place: FencedPlace): PreparedFence {
  const fence = place.geofence;
  if (fence.type === 'circle') {
    const { radiusM } = fence;
    const center = place.location;
    return {
      reachM: radiusM,
      contains: (p) => distanceM(p, center) <= radiusM,
      distanceOutsideM: (p) => Math.max(0, distanceM(p, center) - radiusM),
    };
  }
  const raw: Ring[][] = fence.type === 'polygon' ? [fence.coordinates as Ring[]] : (fence.coordinates as Ring[][]);
  const wrapped = crossesAntimeridian(raw.flat());
  const polygons = wrapped ? raw.map(unwrap) : raw;
  const feature: Feature<MultiPolygon> = multiPolygon(polygons);
  feature.bbox = turfBbox(feature) as [number, number, number, number];
  // 1 cm more than measured, so rounding never leaves a vertex out of a search.
  const reachM = polygonReachM(place.location, polygons) + 0.01;
  const contains = (p: LatLng) => testLongitudes(p.lng, wrapped).some((lng) => booleanPointInPolygon([lng, p.lat], feature));
  return {
    reachM,
    contains,
    distanceOutsideM: (p) => {
      if (contains(p)) return 0;
      const d = testLongitudes(p.lng, wrapped).map((lng) =>
        Math.abs(pointToPolygonDistance([lng, p.lat], feature.geometry, { units: 'meters' })),
      );
      return Math.min(...d);
    },
  };
}
