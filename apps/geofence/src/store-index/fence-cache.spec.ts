import type { PreparedFence } from '@app/geo';
import { FenceCache, FencedStore, IndexedStore } from './store-index.repository';

const entry = (storeId: string, version = 1): IndexedStore => ({
  store: { storeId, brandId: 'b', version, location: { lat: 45.76, lng: 4.83 }, geofence: { type: 'circle', radiusM: 50 } } as FencedStore,
  fence: {} as PreparedFence,
});

describe('FenceCache', () => {
  it('answers only for the version it holds', () => {
    const cache = new FenceCache(10);
    cache.set('s1', 1, entry('s1', 1));
    expect(cache.get('s1', 1)?.store.version).toBe(1);
    expect(cache.get('s1', 2)).toBeUndefined();
    cache.set('s1', 2, entry('s1', 2));
    expect(cache.get('s1', 2)?.store.version).toBe(2);
    expect(cache.get('s1', 1)).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('never holds more than its capacity, and gives an entry used since the last sweep a second chance', () => {
    const cache = new FenceCache(3);
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

  it('reuses the slot of a deleted entry before evicting anything', () => {
    const cache = new FenceCache(2);
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
