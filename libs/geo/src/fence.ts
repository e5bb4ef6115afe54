import { booleanPointInPolygon, multiPolygon, point, polygon } from '@turf/turf';
import type { Geofence } from '@app/contracts';

export interface LatLng {
  lat: number;
  lng: number;
}

export interface FencedPlace {
  location: LatLng;
  geofence: Geofence;
}

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/**
 * Great-circle distance in metres: turf's haversine (@turf/distance, same sphere, same formula),
 * written out so the hot path builds no GeoJSON objects.
 */
export function distanceM(a: LatLng, b: LatLng): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLng = (b.lng - a.lng) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.sin(dLng / 2) ** 2 * Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD);
  return EARTH_RADIUS_M * 2 * Math.atan2(Math.sqrt(h), Math.sqrt(1 - h));
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
