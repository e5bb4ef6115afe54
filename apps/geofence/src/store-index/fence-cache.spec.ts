import type { PreparedFence } from '@app/geo';
import { FenceCache, FencedStore, IndexedStore, bytesOf } from './store-index.repository';

const entry = (storeId: string, version = 1): IndexedStore => ({
  store: { storeId, brandId: 'b', version, location: { lat: 45.76, lng: 4.83 }, geofence: { type: 'circle', radiusM: 50 } } as FencedStore,
  fence: {} as PreparedFence,
});
const square = (storeId: string): IndexedStore => ({
  store: {
    storeId, brandId: 'b', version: 1, location: { lat: 45.76, lng: 4.83 },
    geofence: { type: 'polygon', coordinates: [[[4.829, 45.759], [4.831, 45.759], [4.831, 45.761], [4.829, 45.761], [4.829, 45.759]]] },
  } as FencedStore,
  fence: {} as PreparedFence,
});
/** Room for n circles. */
const circles = (n: number) => n * bytesOf(entry('x').store);

describe('FenceCache', () => {
  it('answers only for the version it holds', () => {
    const cache = new FenceCache(circles(10));
    cache.set('s1', 1, entry('s1', 1));
    expect(cache.get('s1', 1)?.store.version).toBe(1);
    expect(cache.get('s1', 2)).toBeUndefined();
    cache.set('s1', 2, entry('s1', 2));
    expect(cache.get('s1', 2)?.store.version).toBe(2);
    expect(cache.get('s1', 1)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('never holds more than its capacity, and gives an entry used since the last sweep a second chance', () => {
    const cache = new FenceCache(circles(3));
    for (const id of ['a', 'b', 'c']) cache.set(id, 1, entry(id));
    cache.get('a', 1);
    cache.set('d', 1, entry('d'));
    // The hand passes a (used: spared, flag cleared) and evicts b.
    expect(cache.size).toBe(3);
    expect(cache.get('a', 1)).toBeDefined();
    expect(cache.get('b', 1)).toBeUndefined();
    expect(cache.get('c', 1)).toBeDefined();
    expect(cache.get('d', 1)).toBeDefined();
    for (let i = 0; i < 1000; i++) cache.set(`x${i}`, 1, entry(`x${i}`));
    expect(cache.size).toBe(3);
    expect(cache.get('x999', 1)).toBeDefined();
  });

  it('bounds the estimated bytes, not the count: a polygon takes the room of more than one circle', () => {
    const cache = new FenceCache(circles(4));
    for (const id of ['a', 'b', 'c', 'd']) cache.set(id, 1, entry(id));
    expect(cache.size).toBe(4);
    cache.set('p', 1, square('p'));
    expect(bytesOf(square('p').store)).toBeGreaterThan(bytesOf(entry('a').store));
    expect(cache.bytes).toBeLessThanOrEqual(circles(4));
    expect(cache.get('p', 1)).toBeDefined();
    expect(cache.size).toBe(3);
    // An entry larger than the whole budget is kept alone rather than refused or looping.
    const tiny = new FenceCache(10);
    tiny.set('a', 1, entry('a'));
    tiny.set('b', 1, entry('b'));
    expect([tiny.size, tiny.get('b', 1) !== undefined]).toEqual([1, true]);
  });

  it('reuses the slot of a deleted entry before evicting anything', () => {
    const cache = new FenceCache(circles(2));
    cache.set('a', 1, entry('a'));
    cache.set('b', 1, entry('b'));
    cache.delete('a');
    cache.delete('missing');
    cache.set('c', 1, entry('c'));
    expect(cache.get('b', 1)).toBeDefined();
    expect(cache.get('c', 1)).toBeDefined();
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.size).toBe(2);
  });
});
