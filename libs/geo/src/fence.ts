import { booleanPointInPolygon, distance, multiPolygon, point, polygon } from '@turf/turf';
import type { Geofence } from '@app/contracts';

export interface LatLng {
  lat: number;
  lng: number;
}

export interface FencedPlace {
  location: LatLng;
  geofence: Geofence;
}

/** Great-circle distance in metres (turf, haversine on a spherical Earth). */
export function distanceM(a: LatLng, b: LatLng): number {
  return distance(point([a.lng, a.lat]), point([b.lng, b.lat]), { units: 'kilometers' }) * 1000;
}

/**
 * Whether a position lies within a place's fence: a circle by great-circle distance from the
 * place's location, a polygon or multipolygon (holes excluded) by point-in-polygon; a point on the
 * boundary counts as inside. `marginM` widens a circle (positive) or narrows it (negative).
 */
export function isInsideFence(position: LatLng, place: FencedPlace, marginM = 0): boolean {
  const fence = place.geofence;
  switch (fence.type) {
    case 'circle':
      return distanceM(position, place.location) <= fence.radiusM + marginM;
    case 'polygon':
      return booleanPointInPolygon(point([position.lng, position.lat]), polygon(fence.coordinates));
    case 'multipolygon':
      return booleanPointInPolygon(point([position.lng, position.lat]), multiPolygon(fence.coordinates));
  }
}

/** How far from the place's location its fence reaches, in metres: the radius a search needs. */
export function fenceReachM(place: FencedPlace): number {
  const fence = place.geofence;
  if (fence.type === 'circle') return fence.radiusM;
  const rings = fence.type === 'polygon' ? fence.coordinates : fence.coordinates.flat();
  let reach = 0;
  for (const ring of rings) {
    for (const [lng, lat] of ring) reach = Math.max(reach, distanceM(place.location, { lat, lng }));
  }
  return reach;
}
