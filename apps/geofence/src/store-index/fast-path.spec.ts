import { Geofence } from '@app/contracts';
import { distanceM, isInsideFence, prepareFence } from '@app/geo';
import fc from 'fast-check';
import { LOCAL_REACH_M, cellsCovering, metresToPolarBand, placementOf } from './cells';

/*
 * The fast path (stores filed by cell, regional fences in every cell they overlap, wide and polar sets; a search reading only the covering
 * cells within each set's largest reach; prepared fences) finds exactly the stores that brute
 * force (turf on every store) finds, for random stores and points. Redis GEOSEARCH is replaced by
 * the same radius test on turf's sphere; test/integration runs the real thing.
 */
interface Store {
  storeId: string;
  location: { lat: number; lng: number };
  geofence: Geofence;
}

function fastInside(stores: Store[], p: { lat: number; lng: number }, slackM: number): string[] {
  const filed = stores.map((s) => ({ s, fence: prepareFence(s) })).map((x) => ({ ...x, at: placementOf(x.s.location, x.fence.reachM) }));
  const covering = new Set(cellsCovering(p.lat, p.lng, LOCAL_REACH_M + slackM));
  const maxReach = (xs: typeof filed) => Math.max(0, ...xs.map((x) => x.fence.reachM));
  const candidates: typeof filed = [];
  const byCell = new Map<string, typeof filed>();
  for (const x of filed) if (x.at.kind === 'cell') byCell.set(x.at.cell, [...(byCell.get(x.at.cell) ?? []), x]);
  const regionalByCell = new Map<string, typeof filed>();
  for (const x of filed) if (x.at.kind === 'regional') for (const cell of x.at.cells) regionalByCell.set(cell, [...(regionalByCell.get(cell) ?? []), x]);
  for (const sets of [byCell, regionalByCell]) {
    for (const [cell, xs] of sets) {
      if (!covering.has(cell)) continue;
      const r = maxReach(xs) + slackM;
      candidates.push(...xs.filter((x) => distanceM(p, x.s.location) <= r));
    }
  }
  const wide = filed.filter((x) => x.at.kind === 'wide');
  candidates.push(...wide.filter((x) => distanceM(p, x.s.location) <= maxReach(wide) + slackM));
  const polar = filed.filter((x) => x.at.kind === 'polar' && x.s.location.lat >= 0 === p.lat >= 0);
  candidates.push(...polar.filter((x) => x.fence.reachM + slackM >= metresToPolarBand(p.lat)));
  return [...new Set(candidates.filter((x) => x.fence.contains(p)).map((x) => x.s.storeId))].sort();
}

/** Coordinates in micro-degrees (0.11 m), as GPS gives them; no denormals. */
const micro = (min: number, max: number) => fc.integer({ min: min * 1e6, max: max * 1e6 }).map((n) => n / 1e6);
const lat = micro(-89.9, 89.9);
const lng = micro(-179.9, 179.9);
const circle = fc.record({ type: fc.constant('circle' as const), radiusM: fc.oneof(fc.double({ min: 1, max: 300, noNaN: true }), fc.double({ min: 300, max: 50_000, noNaN: true })) });
/** A triangle or quadrilateral around the location, sizes from metres to tens of kilometres. */
const polygonAround = (c: { lat: number; lng: number }) =>
  fc.array(fc.tuple(micro(-0.3, 0.3), micro(-0.05, 0.05)), { minLength: 3, maxLength: 4 }).map((offsets) => {
    const ring = offsets.map(([dLng, dLat]) => [Math.max(-180, Math.min(180, c.lng + dLng)), Math.max(-90, Math.min(90, c.lat + dLat))] as [number, number]);
    return { type: 'polygon' as const, coordinates: [[...ring, ring[0]]] };
  });
const store = (i: number) =>
  fc.record({ lat, lng }).chain((location) =>
    fc.oneof(circle, polygonAround(location)).map((geofence) => ({ storeId: `s${i}`, location, geofence: geofence as Geofence })),
  );
const stores = fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => store(i))));

describe('fast path agrees with brute force', () => {
  it('for random stores and points near them', () => {
    fc.assert(
      fc.property(
        stores,
        fc.nat(),
        micro(-0.6, 0.6),
        micro(-0.6, 0.6),
        micro(0, 130),
        (all, pick, dLat, dLng, dScale) => {
          const near = all[pick % all.length].location;
          const scale = dScale / 100; // from on top of the store to 0.78° away
          const p = { lat: Math.max(-90, Math.min(90, near.lat + dLat * scale)), lng: Math.max(-180, Math.min(180, near.lng + dLng * scale)) };
          const brute = all.filter((s) => isInsideFence(p, s)).map((s) => s.storeId).sort();
          expect(fastInside(all, p, 30)).toEqual(brute);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('for random points anywhere', () => {
    fc.assert(
      fc.property(stores, fc.record({ lat, lng }), (all, p) => {
        const brute = all.filter((s) => isInsideFence(p, s)).map((s) => s.storeId).sort();
        expect(fastInside(all, p, 0)).toEqual(brute);
      }),
      { numRuns: 200 },
    );
  });
});
