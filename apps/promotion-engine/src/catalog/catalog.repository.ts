import type { OfferSnapshot, StoreSnapshot } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const offerKey = (offerId: string) => `pe:offer:{o:${offerId}}`;
const brandOffersKey = (brandId: string) => `pe:offers:{b:${brandId}}`;
const storeKey = (storeId: string) => `pe:store:{s:${storeId}}`;

// KEYS: entity hash. ARGV: version, snapshot ('' = deleted). Applies only newer versions.
const APPLY_IF_NEWER = `
local current = redis.call('HGET', KEYS[1], 'version')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
if ARGV[2] == '' then
  redis.call('HDEL', KEYS[1], 'snapshot')
  redis.call('HSET', KEYS[1], 'version', ARGV[1])
else
  redis.call('HSET', KEYS[1], 'version', ARGV[1], 'snapshot', ARGV[2])
end
return 1`;

/** The engine's Redis projection of the offer and store catalogs. */
@Injectable()
export class CatalogRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async upsertOffer(offer: OfferSnapshot): Promise<void> {
    const applied = await this.redis.eval(APPLY_IF_NEWER, 1, offerKey(offer.offerId), offer.version, JSON.stringify(offer));
    if (applied === 1) await this.redis.sadd(brandOffersKey(offer.brandId), offer.offerId);
  }

  async removeOffer(offerId: string, brandId: string, version: number): Promise<void> {
    const applied = await this.redis.eval(APPLY_IF_NEWER, 1, offerKey(offerId), version, '');
    if (applied === 1) await this.redis.srem(brandOffersKey(brandId), offerId);
  }

  async offersOfBrand(brandId: string): Promise<OfferSnapshot[]> {
    const ids = await this.redis.smembers(brandOffersKey(brandId));
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(offerKey(id), 'snapshot');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, raw]) => raw).filter((raw): raw is string => typeof raw === 'string').map((raw) => JSON.parse(raw) as OfferSnapshot);
  }

  async upsertStore(store: StoreSnapshot): Promise<void> {
    await this.redis.eval(APPLY_IF_NEWER, 1, storeKey(store.storeId), store.version, JSON.stringify(store));
  }

  async removeStore(storeId: string, version: number): Promise<void> {
    await this.redis.eval(APPLY_IF_NEWER, 1, storeKey(storeId), version, '');
  }

  async store(storeId: string): Promise<StoreSnapshot | null> {
    const raw = await this.redis.hget(storeKey(storeId), 'snapshot');
    return raw ? (JSON.parse(raw) as StoreSnapshot) : null;
  }
}
