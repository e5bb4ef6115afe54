import type { Geofence } from '@app/contracts';

/** Leaflet's order is [lat, lng]; GeoJSON's (the API's) is [lng, lat]. */
export type LatLngTuple = [number, number];

export type FenceShape =
  | { kind: 'circle'; center: LatLngTuple; radiusM: number }
  /** Polygons, each an outer ring then its holes, ready for L.polygon (which draws holes). */
  | { kind: 'polygons'; polygons: LatLngTuple[][][] };

const toLatLng = ([lng, lat]: [number, number]): LatLngTuple => [lat, lng];

/** A store's geofence as the map draws it: a circle around the store, or (multi)polygons with holes. Pure. */
export function fenceShape(location: { lat: number; lng: number }, fence: Geofence): FenceShape {
  switch (fence.type) {
    case 'circle':
      return { kind: 'circle', center: [location.lat, location.lng], radiusM: fence.radiusM };
    case 'polygon':
      return { kind: 'polygons', polygons: [fence.coordinates.map((ring) => ring.map(toLatLng))] };
    case 'multipolygon':
      return { kind: 'polygons', polygons: fence.coordinates.map((polygon) => polygon.map((ring) => ring.map(toLatLng))) };
  }
}

/** South-west and north-east corners around every store, or null for none. Pure. */
export function boundsOf(points: { lat: number; lng: number }[]): [LatLngTuple, LatLngTuple] | null {
  if (points.length === 0) return null;
  let [south, west, north, east] = [90, 180, -90, -180];
  for (const p of points) {
    south = Math.min(south, p.lat);
    north = Math.max(north, p.lat);
    west = Math.min(west, p.lng);
    east = Math.max(east, p.lng);
  }
  return [
    [south, west],
    [north, east],
  ];
}
