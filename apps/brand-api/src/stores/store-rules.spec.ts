import type { Geofence } from '@app/contracts';
import { geofenceProblems, openingHoursProblem, openingHoursWarnings } from './store-rules';

const square: [number, number][] = [[2.35, 48.85], [2.352, 48.85], [2.352, 48.852], [2.35, 48.852], [2.35, 48.85]];
const hole: [number, number][] = [[2.3505, 48.8505], [2.3515, 48.8505], [2.3515, 48.8515], [2.3505, 48.8515], [2.3505, 48.8505]];

const poly = (...rings: [number, number][][]): Geofence => ({ type: 'polygon', coordinates: rings });

describe('geofence rules', () => {
  it('accepts circles from 20 m to 5 km, and refuses others', () => {
    expect(geofenceProblems({ type: 'circle', radiusM: 20 })).toEqual([]);
    expect(geofenceProblems({ type: 'circle', radiusM: 5000 })).toEqual([]);
    expect(geofenceProblems({ type: 'circle', radiusM: 19 })[0].path).toEqual(['radiusM']);
    expect(geofenceProblems({ type: 'circle', radiusM: 5001 })).toHaveLength(1);
  });

  it('accepts a closed polygon, with a hole inside it', () => {
    expect(geofenceProblems(poly(square))).toEqual([]);
    expect(geofenceProblems(poly(square, hole))).toEqual([]);
  });

  it('accepts a multipolygon with holes', () => {
    const east = square.map(([x, y]) => [x + 0.01, y] as [number, number]);
    expect(geofenceProblems({ type: 'multipolygon', coordinates: [[square, hole], [east]] })).toEqual([]);
  });

  it('refuses an open ring', () => {
    const open = square.slice(0, 4).concat([[2.3501, 48.85]]);
    expect(geofenceProblems(poly(open))[0].message).toMatch(/closed/);
  });

  it('refuses a ring of fewer than 4 positions', () => {
    expect(geofenceProblems(poly([[2.35, 48.85], [2.36, 48.85], [2.35, 48.85]]))[0].message).toMatch(/4 positions/);
  });

  it('refuses a self-intersecting (bow-tie) polygon', () => {
    const bow: [number, number][] = [[2.35, 48.85], [2.352, 48.852], [2.352, 48.85], [2.35, 48.852], [2.35, 48.85]];
    expect(geofenceProblems(poly(bow))[0].message).toMatch(/intersect/);
  });

  it('refuses a hole that crosses or lies outside the outer ring', () => {
    const outside = hole.map(([x, y]) => [x + 0.01, y] as [number, number]);
    expect(geofenceProblems(poly(square, outside))[0].message).toMatch(/inside the outer ring/);
    const crossing: [number, number][] = [[2.351, 48.851], [2.36, 48.851], [2.36, 48.8515], [2.351, 48.8515], [2.351, 48.851]];
    expect(geofenceProblems(poly(square, crossing))[0].message).toMatch(/intersect/);
  });

  it('refuses a degenerate (collinear) polygon', () => {
    expect(geofenceProblems(poly([[2.35, 48.85], [2.36, 48.85], [2.37, 48.85], [2.35, 48.85]]))[0].message).toMatch(/degenerate/);
  });

  it('refuses a polygon larger than the maximum area', () => {
    const huge: [number, number][] = [[2, 48], [2.2, 48], [2.2, 48.2], [2, 48.2], [2, 48]];
    expect(geofenceProblems(poly(huge))[0].message).toMatch(/km²/);
  });

  it('refuses too many vertices', () => {
    const ring: [number, number][] = Array.from({ length: 2100 }, (_, i) => {
      const a = (2 * Math.PI * i) / 2100;
      return [2.35 + 0.001 * Math.cos(a), 48.85 + 0.001 * Math.sin(a)] as [number, number];
    });
    ring.push(ring[0]);
    expect(geofenceProblems(poly(ring))[0].message).toMatch(/positions, more than/);
  });
});

describe('opening hours rules', () => {
  const paris = { country: null };
  it('accepts valid syntax', () => {
    expect(openingHoursProblem('Mo-Sa 09:00-20:00', paris)).toBeNull();
    expect(openingHoursProblem('24/7', paris)).toBeNull();
  });
  it('refuses invalid syntax', () => {
    expect(openingHoursProblem('whenever', paris)).toMatch(/opening_hours syntax/);
  });
  it('needs a country for public holidays, and one the library knows', () => {
    expect(openingHoursProblem('Mo-Sa 09:00-20:00; PH off', paris)).toMatch(/give the store a country/);
    expect(openingHoursProblem('Mo-Sa 09:00-20:00; PH off', { ...paris, country: 'FR' })).toBeNull();
    expect(openingHoursProblem('Mo-Sa 09:00-20:00; PH off', { ...paris, country: 'zz' })).toMatch(/not known for country "zz"/);
  });
  it('writes nothing to the console, even when the library reports a "library bug"', () => {
    const error = jest.spyOn(console, 'error');
    const warn = jest.spyOn(console, 'warn');
    expect(openingHoursProblem('Mo-Fr 09:00-20:00; PH off', { ...paris, country: 'yy' })).toMatch(/not known for country "yy"/);
    expect(error).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    error.mockRestore();
    warn.mockRestore();
  });
  it('returns the library’s warnings on valid hours, for the brand', () => {
    expect(openingHoursWarnings('Mo 09:00-20:00 Tu', paris)).toEqual([expect.stringMatching(/2 not connected weekdays/)]);
    expect(openingHoursWarnings('Mo-Sa 09:00-20:00', paris)).toEqual([]);
  });
});
