import type { Geofence } from '@app/contracts';
import { area, booleanWithin, kinks, polygon } from '@turf/turf';
import { IANAZone } from 'luxon';
import { parseOpeningHours } from '@app/geo';
import { CIRCLE_RADIUS_M } from './store-limits';

/**
 * The pure rules a store must satisfy beyond its JSON shape: sane geofences (turf) and opening
 * hours that the `opening_hours` library can evaluate, with the store's country's public holidays.
 */

export { CIRCLE_RADIUS_M } from './store-limits';
/** 25 km²: a fence larger than a small town is a mistake, not a store. */
export const MAX_FENCE_AREA_M2 = 25_000_000;
/** Below 10 m² a polygon is degenerate (collinear or repeated points). */
export const MIN_FENCE_AREA_M2 = 10;
/** Total positions over every ring of a fence. */
export const MAX_FENCE_VERTICES = 2_000;

export interface RuleProblem {
  /** Path under the checked value, e.g. ['coordinates', 0, 1]. */
  path: (string | number)[];
  message: string;
}

type Ring = [number, number][];

function samePosition(a: [number, number], b: [number, number]): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

function polygonProblems(rings: Ring[], at: (string | number)[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  rings.forEach((ring, r) => {
    if (ring.length < 4) problems.push({ path: [...at, r], message: 'a ring needs at least 4 positions' });
    else if (!samePosition(ring[0], ring[ring.length - 1])) {
      problems.push({ path: [...at, r], message: 'a ring must be closed (last position equal to the first)' });
    }
  });
  if (problems.length > 0) return problems;
  const shape = polygon(rings);
  const crossings = kinks(shape).features.length;
  if (crossings > 0) {
    problems.push({ path: at, message: `rings must not intersect themselves or each other (${crossings} crossing(s))` });
    return problems;
  }
  const outer = polygon([rings[0]]);
  for (let h = 1; h < rings.length; h++) {
    if (!booleanWithin(polygon([rings[h]]), outer)) {
      problems.push({ path: [...at, h], message: 'a hole must lie inside the outer ring' });
    }
  }
  const m2 = area(shape);
  if (m2 < MIN_FENCE_AREA_M2) problems.push({ path: at, message: 'the polygon is degenerate (no area)' });
  if (m2 > MAX_FENCE_AREA_M2) {
    problems.push({ path: at, message: `the polygon covers ${(m2 / 1e6).toFixed(1)} km², more than ${MAX_FENCE_AREA_M2 / 1e6} km²` });
  }
  return problems;
}

/** Everything wrong with a geofence whose JSON shape is already valid; empty when it is sane. */
export function geofenceProblems(fence: Geofence): RuleProblem[] {
  if (fence.type === 'circle') {
    if (fence.radiusM < CIRCLE_RADIUS_M.min || fence.radiusM > CIRCLE_RADIUS_M.max) {
      return [{ path: ['radiusM'], message: `must be between ${CIRCLE_RADIUS_M.min} and ${CIRCLE_RADIUS_M.max} m` }];
    }
    return [];
  }
  const polygons: Ring[][] = fence.type === 'polygon' ? [fence.coordinates as Ring[]] : (fence.coordinates as Ring[][]);
  const vertices = polygons.reduce((n, rings) => n + rings.reduce((m, ring) => m + ring.length, 0), 0);
  if (vertices > MAX_FENCE_VERTICES) {
    return [{ path: ['coordinates'], message: `${vertices} positions, more than ${MAX_FENCE_VERTICES}` }];
  }
  if (fence.type === 'polygon') return polygonProblems(polygons[0], ['coordinates']);
  const problems = polygons.flatMap((rings, p) => polygonProblems(rings, ['coordinates', p]));
  const total = polygons.reduce((m2, rings) => m2 + (rings.length >= 1 && rings[0].length >= 4 ? safeArea(rings) : 0), 0);
  if (problems.length === 0 && total > MAX_FENCE_AREA_M2) {
    problems.push({ path: ['coordinates'], message: `the polygons cover more than ${MAX_FENCE_AREA_M2 / 1e6} km²` });
  }
  return problems;
}

function safeArea(rings: Ring[]): number {
  try {
    return area(polygon(rings));
  } catch {
    return 0;
  }
}

/** Lower-case ISO 3166-1 alpha-2 code, as the opening_hours library expects. */
export function normaliseCountry(country: string): string {
  return country.trim().toLowerCase();
}

const HOLIDAY_TOKENS = /\b(PH|SH)\b/;

/**
 * A small bounded memo: a bulk import repeats the same few time zones and hours strings thousands
 * of times, and parsing them is the costliest part of validating a store (~0.2 ms and ~0.6 ms).
 */
function memo<T>(limit: number, compute: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as T;
    const value = compute(key);
    if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
    return value;
  };
}

const validZone = memo(1_000, (tz) => IANAZone.isValidZone(tz));

export function isIanaTimeZone(tz: string): boolean {
  return validZone(tz);
}

// Validity does not depend on the exact place, only on the country's holiday tables.
const hoursCheck = memo(10_000, (key) => {
  const at = key.indexOf('|');
  return checkHours(key.slice(at + 1), key.slice(0, at) || null);
});

/**
 * Why a value is not usable `opening_hours`, or null. Public (PH) and school (SH) holidays need
 * the store's country and are checked against the library's holiday tables for it.
 */
export function openingHoursProblem(value: string, place: { country?: string | null }): string | null {
  return hoursCheck(hoursKey(value, place)).problem;
}

/** The library's advice on a valid value (e.g. two weekdays not joined by a comma), for the brand. */
export function openingHoursWarnings(value: string, place: { country?: string | null }): string[] {
  return hoursCheck(hoursKey(value, place)).warnings;
}

function hoursKey(value: string, place: { country?: string | null }): string {
  return `${place.country ? normaliseCountry(place.country) : ''}|${value}`;
}

function checkHours(value: string, country: string | null): { problem: string | null; warnings: string[] } {
  if (HOLIDAY_TOKENS.test(value) && !country) {
    return { problem: 'uses public or school holidays (PH/SH): give the store a country', warnings: [] };
  }
  const parsed = parseOpeningHours(value, country);
  if (parsed.ok) return { problem: null, warnings: parsed.warnings };
  if (/no holidays \((PH|SH)\) defined/.test(parsed.error)) {
    return { problem: `holidays (PH/SH) are not known for country "${country}"`, warnings: [] };
  }
  return {
    problem: `is not valid opening_hours syntax (e.g. "Mo-Sa 09:00-20:00; PH off"): ${parsed.error.split('\n')[0].slice(0, 200)}`,
    warnings: [],
  };
}
