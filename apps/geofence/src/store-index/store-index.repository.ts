import { StoreSnapshot } from '@app/contracts';
import { fenceReachM } from '@app/geo';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const geoKey = (brandId: string) => `geo:{b:${brandId}}:stores`;
const reachKey = (brandId: string) => `geo:{b:${brandId}}:maxreach`;
const storeKey = (storeId: string) => `store:{s:${storeId}}`;

// KEYS: store, geo, reach. ARGV: version, snapshot ('' = delete), lng, lat, storeId, reachM.
const APPLY_STORE = `
local current = redis.call('HGET', KEYS[1], 'version')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
if ARGV[2] == '' then
  redis.call('HSET', KEYS[1], 'version', ARGV[1])
  redis.call('HDEL', KEYS[1], 'snapshot')
  redis.call('ZREM', KEYS[2], ARGV[5])
  return 1
end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'snapshot', ARGV[2])
redis.call('GEOADD', KEYS[2], ARGV[3], ARGV[4], ARGV[5])
local reach = tonumber(redis.call('GET', KEYS[3]) or '0')
if tonumber(ARGV[6]) > reach then redis.call('SET', KEYS[3], ARGV[6]) end
return 1`;

export interface Candidate {
  store: StoreSnapshot;
  distanceM: number;
}

/**
 * The Redis projection of catalog.store.v1: per brand, a GEO set of store locations and the
 * farthest any of its fences reaches; per store, its snapshot. Snapshots are cached in process by
 * version. Note: one GEO set per brand (hash-tagged) is fine up to a few hundred thousand stores
 * per brand; sharding by cell is issue 4's work.
 */
@Injectable()
export class StoreIndexRepository {
  private readonly cache = new Map<string, { version: number; store: StoreSnapshot }>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async upsert(store: StoreSnapshot): Promise<boolean> {
    const applied = await this.redis.eval(
      APPLY_STORE,
      3,
      storeKey(store.storeId),
      geoKey(store.brandId),
      reachKey(store.brandId),
      store.version,
      JSON.stringify(store),
      store.location.lng,
      store.location.lat,
      store.storeId,
      Math.ceil(fenceReachM(store)),
    );
    this.cache.delete(store.storeId);
    return applied === 1;
  }

  async remove(storeId: string, brandId: string, version: number): Promise<boolean> {
    const applied = await this.redis.eval(APPLY_STORE, 3, storeKey(storeId), geoKey(brandId), reachKey(brandId), version, '', 0, 0, storeId, 0);
    this.cache.delete(storeId);
    return applied === 1;
  }

  /** Stores of the brand whose fence could contain a point within `extraM` of (lat, lng). */
  async candidates(brandId: string, lat: number, lng: number, extraM: number): Promise<Candidate[]> {
    const reach = Number((await this.redis.get(reachKey(brandId))) ?? 0);
    if (reach === 0) return [];
    const hits = (await this.redis.call(
      'GEOSEARCH', geoKey(brandId), 'FROMLONLAT', lng, lat, 'BYRADIUS', reach + extraM, 'm', 'ASC', 'WITHDIST', 'COUNT', 200,
    )) as [string, string][];
    const out: Candidate[] = [];
    for (const [storeId, dist] of hits) {
      const store = await this.snapshot(storeId);
      if (store) out.push({ store, distanceM: Number(dist) });
    }
    return out;
  }

  async snapshot(storeId: string): Promise<StoreSnapshot | null> {
    const [version, raw] = await this.redis.hmget(storeKey(storeId), 'version', 'snapshot');
    if (!raw || version === null) return null;
    const cached = this.cache.get(storeId);
    if (cached && cached.version === Number(version)) return cached.store;
    const store = JSON.parse(raw) as StoreSnapshot;
    this.cache.set(storeId, { version: store.version, store });
    return store;
  }
}
