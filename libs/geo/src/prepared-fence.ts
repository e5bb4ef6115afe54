import type { Geofence } from '@app/contracts';
import { booleanPointInPolygon, pointToPolygonDistance } from '@turf/turf';
import type { MultiPolygon } from 'geojson';
import { FencedPlace, LatLng, distanceM } from './fence';

type Ring = [number, number][];

/**
 * A fence made ready for many point tests (kept by the thousand in the geofence's cache, so kept
 * small: see CircleFence and PolygonFence). A ring spanning more than 180° of longitude is read as
 * crossing the antimeridian (its western longitudes shifted by +360°) instead of as a band around
 * the world.
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

/**
 * A circle: the place's location (shared, not copied) and its radius. Prototype methods, no
 * closures: a cache of a hundred thousand fences holds one small object per circle.
 */
export class CircleFence implements PreparedFence {
  constructor(
    readonly center: LatLng,
    readonly reachM: number,
  ) {}

  contains(p: LatLng): boolean {
    return distanceM(p, this.center) <= this.reachM;
  }

  distanceOutsideM(p: LatLng): number {
    return Math.max(0, distanceM(p, this.center) - this.reachM);
  }

  toGeofence(): Geofence {
    return { type: 'circle', radiusM: this.reachM };
  }
}

/**
 * A polygon or multipolygon kept as flat numbers: `data` is the bounding box (of the unwrapped
 * rings: [minLng, minLat, maxLng, maxLat]) then every vertex as lng, lat, as given; `shape` is,
 * per polygon, its ring count then each ring's vertex count. Nested GeoJSON arrays (an array per
 * vertex) and a turf feature took about 3.5 times the heap; turf's point-in-polygon and distance
 * run on a geometry built for the one test, only for a point inside the bounding box (the check
 * turf itself makes first when a feature carries a bbox), so the answers are turf's, unchanged.
 */
export class PolygonFence implements PreparedFence {
  private constructor(
    private readonly data: number[],
    private readonly shape: number[],
    /** A ring spans more than 180° of longitude: tested with western longitudes shifted by +360°. */
    private readonly wrapped: boolean,
    /** Filed as a multipolygon (even of one polygon): what toGeofence gives back. */
    private readonly multi: boolean,
    readonly reachM: number,
  ) {}

  static of(location: LatLng, fence: Extract<Geofence, { type: 'polygon' | 'multipolygon' }>): PolygonFence {
    const raw: Ring[][] = fence.type === 'polygon' ? [fence.coordinates as Ring[]] : (fence.coordinates as Ring[][]);
    const wrapped = crossesAntimeridian(raw.flat());
    const polygons = wrapped ? raw.map(unwrap) : raw;
    const data = [Infinity, Infinity, -Infinity, -Infinity];
    const shape: number[] = [];
    for (const rings of polygons) {
      shape.push(rings.length);
      for (const ring of rings) {
        shape.push(ring.length);
        for (const [lng, lat] of ring) {
          data[0] = Math.min(data[0], lng);
          data[1] = Math.min(data[1], lat);
          data[2] = Math.max(data[2], lng);
          data[3] = Math.max(data[3], lat);
        }
      }
    }
    for (const rings of raw) for (const ring of rings) for (const [lng, lat] of ring) data.push(lng, lat);
    // 1 cm more than measured, so rounding never leaves a vertex out of a search.
    const reachM = polygonReachM(location, polygons) + 0.01;
    // slice(): exact-length copies, without the spare capacity push() leaves.
    return new PolygonFence(data.slice(), shape.slice(), wrapped, fence.type === 'multipolygon', reachM);
  }

  /** How many vertices it holds (for estimating its size). */
  get vertexCount(): number {
    return (this.data.length - 4) / 2;
  }

  contains(p: LatLng): boolean {
    if (this.containsAt(p.lng, p.lat)) return true;
    return this.wrapped && p.lng < 0 && this.containsAt(p.lng + 360, p.lat);
  }

  distanceOutsideM(p: LatLng): number {
    if (this.contains(p)) return 0;
    const geometry = this.geometry(true);
    const d = Math.abs(pointToPolygonDistance([p.lng, p.lat], geometry, { units: 'meters' }));
    if (!(this.wrapped && p.lng < 0)) return d;
    return Math.min(d, Math.abs(pointToPolygonDistance([p.lng + 360, p.lat], geometry, { units: 'meters' })));
  }

  toGeofence(): Geofence {
    const polygons = this.geometry(false).coordinates;
    return this.multi ? { type: 'multipolygon', coordinates: polygons } : { type: 'polygon', coordinates: polygons[0] };
  }

  private containsAt(lng: number, lat: number): boolean {
    const d = this.data;
    if (!(d[0] <= lng && d[1] <= lat && d[2] >= lng && d[3] >= lat)) return false;
    return booleanPointInPolygon([lng, lat], this.geometry(true));
  }

  /** The GeoJSON geometry, its western longitudes shifted by +360° when `unwrapped` and the fence crosses the antimeridian. */
  private geometry(unwrapped: boolean): MultiPolygon & { coordinates: Ring[][] } {
    const shift = unwrapped && this.wrapped;
    const polygons: Ring[][] = [];
    let s = 0;
    let v = 4;
    while (s < this.shape.length) {
      const rings: Ring[] = [];
      for (let r = this.shape[s++]; r > 0; r--) {
        const ring: Ring = [];
        for (let n = this.shape[s++]; n > 0; n--, v += 2) {
          const lng = this.data[v];
          ring.push([shift && lng < 0 ? lng + 360 : lng, this.data[v + 1]]);
        }
        rings.push(ring);
      }
      polygons.push(rings);
    }
    return { type: 'MultiPolygon', coordinates: polygons };
  }
}

export function prepareFence(place: FencedPlace): CircleFence | PolygonFence {
  const fence = place.geofence;
  return fence.type === 'circle' ? new CircleFence(place.location, fence.radiusM) : PolygonFence.of(place.location, fence);
}
