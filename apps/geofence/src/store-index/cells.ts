/**
 * Where a store lives in the index, and which parts of the index a search must read. Pure.
 *
 * The world is cut into 1° × 1° cells. A store whose fence reaches at most LOCAL_REACH_M from its
 * location is filed in its brand's set for its cell; a search around a point reads the cells its
 * circle (LOCAL_REACH_M plus the slack) overlaps, usually one, at most four. Stores with a larger
 * reach are few. A "regional" one (malls, airports, districts: its reach covers at most
 * MAX_REGIONAL_CELLS cells and stays clear of the polar band) is filed in a second set of every
 * cell its reach overlaps, next to that cell's local set (same hash tag), so the one script per
 * cell finds it: a fix within reach + slack of it is within the slack of a point of one of those
 * cells, and that cell is among the ones the fix's search covers. Larger fences go to the brand's
 * "wide" set, which a search reads with a radius equal to that set's largest reach (only while the
 * brand has any). Stores at |lat| ≥ POLAR_LAT cannot go in Redis GEO sets (Web Mercator stops at
 * 85.05°), so they go to the brand's polar list and are tested one by one.
 */
export const CELL_DEG = 1;
export const LOCAL_REACH_M = 5_000;
export const POLAR_LAT = 84;
/** A fence reaching over more cells than this is filed once, in the brand's wide set. */
export const MAX_REGIONAL_CELLS = 64;
/** Redis's GEO limit (EPSG:3857). */
export const GEO_MAX_LAT = 85.05112878;
/** Metres per degree of latitude on turf's sphere (R = 6371008.8 m). */
const M_PER_DEG = (Math.PI * 6_371_008.8) / 180;

export type Placement =
  | { kind: 'cell'; cell: string }
  | { kind: 'regional'; cells: string[] }
  | { kind: 'wide' }
  | { kind: 'polar' };

const wrapCol = (col: number) => ((((col + 180) % 360) + 360) % 360) - 180;

export function cellOf(lat: number, lng: number): string {
  return `${Math.floor(lat / CELL_DEG)}:${wrapCol(Math.floor(lng / CELL_DEG))}`;
}

export function placementOf(location: { lat: number; lng: number }, reachM: number): Placement {
  if (Math.abs(location.lat) >= POLAR_LAT) return { kind: 'polar' };
  if (reachM > LOCAL_REACH_M) {
    if (reachM >= metresToPolarBand(location.lat)) return { kind: 'wide' };
    const cells = cellsCovering(location.lat, location.lng, reachM);
    return cells.length <= MAX_REGIONAL_CELLS ? { kind: 'regional', cells } : { kind: 'wide' };
  }
  return { kind: 'cell', cell: cellOf(location.lat, location.lng) };
}

/**
 * Every cell holding a store that lies within `radiusM` of (lat, lng). Conservative: the
 * longitude span is taken at the circle's latitude farthest from the equator, plus 1 %.
 */
export function cellsCovering(lat: number, lng: number, radiusM: number): string[] {
  const dLat = (radiusM / M_PER_DEG) * 1.01;
  const south = Math.max(-POLAR_LAT, lat - dLat);
  const north = Math.min(POLAR_LAT - 1e-9, lat + dLat);
  if (south > north) return [];
  const worst = Math.min(89.999, Math.max(Math.abs(south), Math.abs(north)));
  const dLng = dLat / Math.cos((worst * Math.PI) / 180);
  const rows: number[] = [];
  for (let r = Math.floor(south / CELL_DEG); r <= Math.floor(north / CELL_DEG); r++) rows.push(r);
  const cols = new Set<number>();
  if (dLng >= 180) {
    for (let c = -180; c < 180; c += CELL_DEG) cols.add(c / CELL_DEG);
  } else {
    for (let c = Math.floor((lng - dLng) / CELL_DEG); c <= Math.floor((lng + dLng) / CELL_DEG); c++) cols.add(wrapCol(c));
  }
  const out: string[] = [];
  for (const r of rows) for (const c of cols) out.push(`${r}:${c}`);
  return out;
}

/** Metres from a latitude to the polar band of its hemisphere (0 inside it). */
export function metresToPolarBand(lat: number): number {
  return Math.max(0, POLAR_LAT - Math.abs(lat)) * M_PER_DEG;
}

/** Redis GEOSEARCH measures on a slightly larger sphere than turf: search a little wider. */
export function searchRadiusM(radiusM: number): number {
  return radiusM * 1.001 + 1;
}
