import type { BrandSettings, OfferSnapshot, StoreSnapshot } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const offerKey = (offerId: string) => `pe:offer:{o:${offerId}}`;
const brandOffersKey = (brandId: string) => `pe:offers:{b:${brandId}}`;
/** Bumped whenever one of the brand's offers changes: replicas re-read their cached offers then. */
const brandOffersVersionKey = (brandId: string) => `pe:offers-version:{b:${brandId}}`;
const storeKey = (storeId: string) => `pe:store:{s:${storeId}}`;
const brandKey = (brandId: string) => `pe:brand:{b:${brandId}}`;

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

const MAX_CACHED = 10_000;

/**
 * The engine's Redis projection of the offer, store and brand catalogs. Decisions read it on the
 * hot path, so parsed snapshots are cached in the process and revalidated on every read with one
 * small Redis read (a version), never trusted blindly: another replica may have applied a change.
 */
@Injectable()
export class CatalogRepository {
  private readonly offersCache = new Map<string, { version: string; offers: OfferSnapshot[] }>();
  private readonly storesCache = new Map<string, { version: string; store: StoreSnapshot | null }>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async upsertOffer(offer: OfferSnapshot): Promise<void> {
    const applied = await this.redis.eval(APPLY_IF_NEWER, 1, offerKey(offer.offerId), offer.version, JSON.stringify(offer));
    if (applied === 1) await this.redis.multi().sadd(brandOffersKey(offer.brandId), offer.offerId).incr(brandOffersVersionKey(offer.brandId)).exec();
  }

  async removeOffer(offerId: string, brandId: string, version: number): Promise<void> {
    const applied = await this.redis.eval(APPLY_IF_NEWER, 1, offerKey(offerId), version, '');
    if (applied === 1) await this.redis.multi().srem(brandOffersKey(brandId), offerId).incr(brandOffersVersionKey(brandId)).exec();
  }

  async offersOfBrand(brandId: string): Promise<OfferSnapshot[]> {
    const version = (await this.redis.get(brandOffersVersionKey(brandId))) ?? '0';
    const cached = this.offersCache.get(brandId);
    if (cached && cached.version === version) return cached.offers;
    const ids = await this.redis.smembers(brandOffersKey(brandId));
    let offers: OfferSnapshot[] = [];
    if (ids.length > 0) {
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.hget(offerKey(id), 'snapshot');
      const results = (await pipeline.exec()) ?? [];
      offers = results.map(([, raw]) => raw).filter((raw): raw is string => typeof raw === 'string').map((raw) => JSON.parse(raw) as OfferSnapshot);
    }
    remember(this.offersCache, brandId, { version, offers });
    return offers;
  }

  async upsertStore(store: StoreSnapshot): Promise<void> {
    await this.redis.eval(APPLY_IF_NEWER, 1, storeKey(store.storeId), store.version, JSON.stringify(store));
  }

  async removeStore(storeId: string, version: number): Promise<void> {
    await this.redis.eval(APPLY_IF_NEWER, 1, storeKey(storeId), version, '');
  }

  async store(storeId: string): Promise<StoreSnapshot | null> {
    const version = (await this.redis.hget(storeKey(storeId), 'version')) ?? '';
    const cached = this.storesCache.get(storeId);
    if (cached && cached.version === version) return cached.store;
    const raw = await this.redis.hget(storeKey(storeId), 'snapshot');
    const store = raw ? (JSON.parse(raw) as StoreSnapshot) : null;
    remember(this.storesCache, storeId, { version, store });
    return store;
  }

  async upsertBrandSettings(settings: BrandSettings): Promise<void> {
    await this.redis.eval(APPLY_IF_NEWER, 1, brandKey(settings.brandId), settings.version, JSON.stringify(settings));
  }

  async brandSettings(brandId: string): Promise<BrandSettings | null> {
    const raw = await this.redis.hget(brandKey(brandId), 'snapshot');
    return raw ? (JSON.parse(raw) as BrandSettings) : null;
  }
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= MAX_CACHED && !cache.has(key)) cache.clear();
  cache.set(key, value);
}
