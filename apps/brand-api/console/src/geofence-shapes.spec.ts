import { boundsOf, fenceShape } from './geofence-shapes';

describe('console geofence shapes', () => {
  it('draws a circle around the store', () => {
    expect(fenceShape({ lat: 48.86, lng: 2.33 }, { type: 'circle', radiusM: 80 })).toEqual({ kind: 'circle', center: [48.86, 2.33], radiusM: 80 });
  });

  it('turns GeoJSON [lng, lat] into Leaflet [lat, lng], keeping holes and every polygon of a multipolygon', () => {
    const outer: [number, number][] = [[2.3, 48.8], [2.4, 48.8], [2.4, 48.9], [2.3, 48.8]];
    const hole: [number, number][] = [[2.34, 48.84], [2.35, 48.84], [2.35, 48.85], [2.34, 48.84]];
    const other: [number, number][] = [[3.0, 50.0], [3.1, 50.0], [3.1, 50.1], [3.0, 50.0]];
    expect(fenceShape({ lat: 48.85, lng: 2.35 }, { type: 'polygon', coordinates: [outer, hole] })).toEqual({
      kind: 'polygons',
      polygons: [[outer.map(([lng, lat]) => [lat, lng]), hole.map(([lng, lat]) => [lat, lng])]],
    });
    const multi = fenceShape({ lat: 48.85, lng: 2.35 }, { type: 'multipolygon', coordinates: [[outer, hole], [other]] });
    expect(multi.kind === 'polygons' && multi.polygons.map((p) => p.length)).toEqual([2, 1]);
    expect(multi.kind === 'polygons' && multi.polygons[1][0][0]).toEqual([50.0, 3.0]);
  });

  it('bounds every store, or nothing without stores', () => {
    expect(boundsOf([{ lat: 48.8, lng: 2.4 }, { lat: 45.7, lng: 4.8 }])).toEqual([[45.7, 2.4], [48.8, 4.8]]);
    expect(boundsOf([])).toBeNull();
  });
});
