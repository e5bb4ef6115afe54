import { Geofence, StoreSnapshot } from '@app/contracts';
import { isInsideFence } from '@app/geo';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { MAX_REGIONAL_CELLS, cellOf, cellsCovering, placementOf } from '../../apps/geofence/src/store-index/cells';
import { StoreIndexRepository, cellKey, memberOf, regionalKey } from '../../apps/geofence/src/store-index/store-index.repository';
import { E2E } from '../setup/e2e-stack';

/**
 * The geofence's store index against the real Redis: which sets a store is filed in, what a
 * search reads back (GEOSEARCH and the Lua scripts), and what a new version or a delete leaves.
 * fast-path.spec.ts checks the same search model against brute force without Redis.
 */
describe('geofence store index (real Redis)', () => {
  const redis = new Redis(E2E.redisUrl, { enableAutoPipelining: true });
  const run = randomBytes(4).toString('hex');
  const brandId = `int-${run}`;
  const index = new StoreIndexRepository(redis, 2 ** 20);
  const store = (n: string, location: { lat: number; lng: number }, geofence: Geofence, version = 1): StoreSnapshot => ({
    storeId: `${run}-${n}`, brandId, version, name: n, externalId: null, location, geofence,
    timezone: 'Europe/Paris', openingHours: null, tags: [], updatedAt: new Date().toISOString(),
  });
  const found = async (repo: StoreIndexRepository, p: { lat: number; lng: number }, slackM = 30) =>
    (await repo.candidates(brandId, p.lat, p.lng, slackM)).map((c) => c.store.storeId).sort();
  const regionalSets = (cells: string[]) => cells.map((cell) => regionalKey(brandId, cell));

  afterAll(async () => {
    const keys = await redis.keys(`*${run}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  // A 12 km circle near the corner of its 1° cell: it overlaps four cells.
  const mall = store('mall', { lat: 48.95, lng: 2.95 }, { type: 'circle', radiusM: 12_000 });
  const mallCells = cellsCovering(mall.location.lat, mall.location.lng, 12_000);

  it('files a regional fence in every cell it overlaps, and finds it once from a fix in another cell', async () => {
    expect(placementOf(mall.location, 12_000)).toEqual({ kind: 'regional', cells: mallCells });
    expect(mallCells.length).toBe(4);
    await index.upsert(mall);
    for (const key of regionalSets(mallCells)) expect(await redis.zscore(`${key}:reach`, memberOf(mall))).toBe('12000');
    // 10.7 km north-east of the mall, in the neighbouring cell.
    const fix = { lat: 49.02, lng: 3.05 };
    expect(cellOf(fix.lat, fix.lng)).not.toBe(cellOf(mall.location.lat, mall.location.lng));
    const candidates = await index.candidates(brandId, fix.lat, fix.lng, 30);
    expect(candidates.map((c) => c.store.storeId)).toEqual([mall.storeId]);
    expect(candidates[0].fence.contains(fix)).toBe(true);
    // A replica with a cold cache reads the same answer back from the store's hash.
    expect(await found(new StoreIndexRepository(redis, 2 ** 20), fix)).toEqual([mall.storeId]);
    // 13 km away: beyond its reach plus the slack.
    expect(await found(index, { lat: 48.95 + 13_000 / 111_195, lng: 2.95 })).toEqual([]);
  });

  it('finds small fences by their cell and the regional fences over them, with one script per cell', async () => {
    const cafe = store('cafe', { lat: 48.9, lng: 2.9 }, { type: 'circle', radiusM: 40 });
    await index.upsert(cafe);
    expect(await found(index, { lat: 48.9002, lng: 2.9 })).toEqual([cafe.storeId, mall.storeId].sort());
    expect(await found(index, { lat: 48.9002, lng: 2.9 }, 0)).toEqual([cafe.storeId, mall.storeId].sort());
  });

  it('moves a store out of every regional set when a new version shrinks it, and out of the index on delete', async () => {
    await index.upsert(store('mall', mall.location, { type: 'circle', radiusM: 80 }, 2));
    for (const key of regionalSets(mallCells)) expect(await redis.zcard(key)).toBe(0);
    expect(await found(index, { lat: 49.02, lng: 3.05 })).toEqual([]);
    expect(await found(index, { lat: 48.9503, lng: 2.95 })).toEqual([mall.storeId]);
    // An older version arriving late changes nothing.
    expect(await index.upsert(mall)).toBe(false);
    for (const key of regionalSets(mallCells)) expect(await redis.zcard(key)).toBe(0);
    expect(await index.remove(mall.storeId, 3)).toBe(true);
    expect(await found(index, { lat: 48.9503, lng: 2.95 })).toEqual([]);
  });

  it('applies a batch in order: several versions of one store, a move to another cell, a delete, a stale version', async () => {
    const here = { lat: 47.21, lng: -1.55 };
    const there = { lat: 45.76, lng: 4.84 }; // another cell
    const kiosk = (v: number, at = here) => store('kiosk', at, { type: 'circle', radiusM: 60 }, v);
    const stall = store('stall', { lat: 47.2102, lng: -1.55 }, { type: 'circle', radiusM: 30 });
    const moved = kiosk(3, there);
    const applied = await index.applyBatch([
      { kind: 'upsert', store: kiosk(1) },
      { kind: 'upsert', store: stall },
      { kind: 'upsert', store: kiosk(2) },
      { kind: 'upsert', store: moved },
      { kind: 'upsert', store: kiosk(2) }, // late: a newer version is in
      { kind: 'remove', storeId: stall.storeId, version: 2 },
    ]);
    expect(applied).toEqual([true, true, true, true, false, true]);
    expect(await redis.zrange(cellKey(brandId, cellOf(here.lat, here.lng)), 0, -1)).toEqual([]);
    expect(await redis.zrange(`${cellKey(brandId, cellOf(here.lat, here.lng))}:reach`, 0, -1)).toEqual([]);
    expect(await redis.zrange(cellKey(brandId, cellOf(there.lat, there.lng)), 0, -1)).toEqual([memberOf(moved)]);
    expect(await found(index, here)).toEqual([]);
    expect(await found(new StoreIndexRepository(redis, 2 ** 20), there)).toEqual([`${run}-kiosk`]);
    // The same batch delivered again (a redelivery after a crash) leaves the same index.
    expect(await index.applyBatch([{ kind: 'upsert', store: moved }, { kind: 'remove', storeId: stall.storeId, version: 2 }])).toEqual([true, true]);
    expect(await redis.zrange(cellKey(brandId, cellOf(there.lat, there.lng)), 0, -1)).toEqual([memberOf(moved)]);
    expect(await redis.hget(`store:{s:${stall.storeId}}`, 'snapshot')).toBeNull();
  });

  it('builds a circle from its member on every replica, and reads a polygon from its hash unless cached', async () => {
    // Decimals that parse back to the same doubles only if written in full.
    const dot = store('dot', { lat: 43.296482000000005, lng: 5.369779999999999 }, { type: 'circle', radiusM: 35.5 });
    const plot = store('plot', { lat: 43.3, lng: 5.37 }, { type: 'polygon', coordinates: [[[5.3695, 43.2995], [5.3705, 43.2995], [5.37, 43.3005], [5.3695, 43.2995]]] });
    await index.applyBatch([{ kind: 'upsert', store: dot }, { kind: 'upsert', store: plot }]);
    expect(memberOf(dot)).toBe(`${dot.storeId}@1#43.296482000000005,5.369779999999999,35.5`);
    expect(memberOf(plot)).toBe(`${plot.storeId}@1`);
    // Without their snapshots, a cold replica still finds the circle, exactly as it was filed.
    await redis.hdel(`store:{s:${dot.storeId}}`, 'snapshot');
    await redis.hdel(`store:{s:${plot.storeId}}`, 'snapshot');
    const cold = new StoreIndexRepository(redis, 2 ** 20);
    const [circle] = await cold.candidates(brandId, dot.location.lat, dot.location.lng, 10);
    const { storeId, version, location, geofence } = circle.store;
    expect({ storeId, brandId: circle.store.brandId, version, location, geofence }).toEqual({ storeId: dot.storeId, brandId, version: 1, location: dot.location, geofence: dot.geofence });
    expect(circle.fence.contains({ lat: dot.location.lat + 35 / 111_195, lng: dot.location.lng })).toBe(true);
    expect(circle.fence.contains({ lat: dot.location.lat + 36 / 111_195, lng: dot.location.lng })).toBe(false);
    expect(await found(cold, { lat: 43.3, lng: 5.37 })).toEqual([]);
    // The warm replica that filed them caches the polygon; the circle it builds from its member too.
    expect(await found(index, { lat: 43.3, lng: 5.37 })).toEqual([plot.storeId]);
    expect(await found(index, dot.location)).toEqual([dot.storeId]);
  });

  it('ignores an event of the version applied that carries another snapshot (not a redelivery: a corrupt copy)', async () => {
    const shop = store('shop', { lat: 48.8606, lng: 2.3376 }, { type: 'circle', radiusM: 80 });
    expect(await index.upsert(shop)).toBe(true);
    const elsewhere = { lat: 48.8606, lng: -1 };
    // Found by the Kafka fuzz test: this copy used to add a stray member and replace the cached fence.
    expect(await index.applyBatch([{ kind: 'upsert', store: { ...shop, location: elsewhere } }, { kind: 'remove', storeId: shop.storeId, version: 1 }])).toEqual([false, false]);
    expect(await redis.zrange(cellKey(brandId, cellOf(elsewhere.lat, elsewhere.lng)), 0, -1)).toEqual([]);
    const candidates = await index.candidates(brandId, 48.8607, 2.3376, 10);
    expect(candidates.map((c) => c.store.storeId)).toEqual([shop.storeId]);
    expect(candidates[0].fence.contains({ lat: 48.8607, lng: 2.3376 })).toBe(true);
    expect(await index.upsert(shop)).toBe(true); // the true redelivery is still redone
  });

  it('keeps fences too large for cells in the brand wide set, and polar ones in the polar list', async () => {
    const region = store('region', { lat: 45, lng: 10 }, { type: 'circle', radiusM: 400_000 });
    expect(cellsCovering(45, 10, 400_000).length).toBeGreaterThan(MAX_REGIONAL_CELLS);
    expect(placementOf(region.location, 400_000)).toEqual({ kind: 'wide' });
    const station = store('station', { lat: 89, lng: 0 }, { type: 'circle', radiusM: 300_000 });
    await index.upsert(region);
    await index.upsert(station);
    expect(await found(index, { lat: 47.5, lng: 11 })).toEqual([region.storeId]);
    // Inside the polar band, still within GEO's range (a fix beyond 85.05° reads the wide set whole).
    expect(await found(index, { lat: 84.5, lng: 120 })).toEqual([station.storeId]);
    expect(await found(index, { lat: 80, lng: 0 })).toEqual([]);
  });

  it('searches a batch of fixes of several brands in one script per brand, each fix as if alone', async () => {
    // A seeded generator: the same stores and fixes on every run.
    let seed = 20261203;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    // Two brands of their own: the stores filed above are the first brand's.
    const mine = `int-${run}-a`;
    const other = `int-${run}-b`;
    // Around the corner of four 1° cells (46°N, 5°E), so that fixes read one to four cells.
    const near = () => ({ lat: 46 + (rand() - 0.5) * 0.2, lng: 5 + (rand() - 0.5) * 0.3 });
    const stores: StoreSnapshot[] = [];
    for (let i = 0; i < 160; i++) {
      const location = near();
      const geofence: Geofence = i % 4 === 3
        ? { type: 'polygon', coordinates: [[[location.lng - 0.002, location.lat - 0.001], [location.lng + 0.002, location.lat - 0.001], [location.lng, location.lat + 0.002], [location.lng - 0.002, location.lat - 0.001]]] }
        : { type: 'circle', radiusM: 20 + rand() * 600 };
      stores.push({ ...store(`batch-${i}`, location, geofence), brandId: i % 2 === 0 ? mine : other });
    }
    // A regional fence (filed in several cells), a wide one and a polar one, for the second brand.
    stores.push({ ...store('batch-regional', { lat: 46.02, lng: 5.01 }, { type: 'circle', radiusM: 9_000 }), brandId: other });
    stores.push({ ...store('batch-wide', { lat: 44, lng: 7 }, { type: 'circle', radiusM: 350_000 }), brandId: other });
    stores.push({ ...store('batch-polar', { lat: 88, lng: 0 }, { type: 'circle', radiusM: 500_000 }), brandId: other });
    expect(await index.applyBatch(stores.map((s) => ({ kind: 'upsert' as const, store: s })))).toEqual(stores.map(() => true));

    // 400 fixes: on top of a store, near one, or near the pole; more than one call's worth per brand.
    const queries = Array.from({ length: 400 }, (_, i) => {
      const s = stores[Math.floor(rand() * 160)];
      const p = i % 50 === 7 ? { lat: 84 + rand() * 1.2, lng: rand() * 40 } : i % 3 === 0 ? s.location : { lat: s.location.lat + (rand() - 0.5) * 0.01, lng: s.location.lng + (rand() - 0.5) * 0.01 };
      return { brandId: i % 2 === 0 ? mine : other, lat: p.lat, lng: p.lng, slackM: Math.floor(rand() * 120) };
    });
    const cold = new StoreIndexRepository(redis, 2 ** 20);
    const batch = await cold.candidatesMany(queries);
    const insideOf = (q: (typeof queries)[number], found: { store: { storeId: string }; fence: { contains(p: { lat: number; lng: number }): boolean } }[]) =>
      found.filter((c) => c.fence.contains(q)).map((c) => c.store.storeId).sort();
    let inside = 0;
    for (const [i, q] of queries.entries()) {
      const ids = batch[i].map((c) => c.store.storeId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(batch[i].every((c) => stores.find((s) => s.storeId === c.store.storeId)?.brandId === q.brandId)).toBe(true);
      const brute = stores.filter((s) => s.brandId === q.brandId && isInsideFence(q, s)).map((s) => s.storeId).sort();
      expect(insideOf(q, batch[i])).toEqual(brute);
      inside += brute.length;
    }
    // The fixture means something: many fixes inside, the regional, wide and polar fences found.
    expect(inside).toBeGreaterThan(150);
    const all = new Set(batch.flat().map((c) => c.store.storeId));
    for (const n of ['batch-regional', 'batch-wide', 'batch-polar']) expect(all).toContain(`${run}-${n}`);
    // One fix alone gets what it got in the batch.
    for (const i of [0, 1, 7, 57, 399]) {
      const alone = await index.candidates(queries[i].brandId, queries[i].lat, queries[i].lng, queries[i].slackM);
      expect(alone.map((c) => c.store.storeId).sort()).toEqual(batch[i].map((c) => c.store.storeId).sort());
    }
  });
});
