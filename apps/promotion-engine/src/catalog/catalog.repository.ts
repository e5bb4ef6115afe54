import type { BrandSettings, EventOf, OfferSnapshot, StoreSnapshot, Topics } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { Result } from 'ioredis';

const offerKey = (offerId: string) => `pe:offer:{o:${offerId}}`;
const brandOffersKey = (brandId: string) => `pe:offers:{b:${brandId}}`;
const storeKey = (storeId: string) => `pe:store:{s:${storeId}}`;
/**
 * The brand's hash: its settings (`version`, `snapshot`, from catalog.brand.v1) and
 * `offersVersion`, bumped whenever one of its offers changes so replicas re-read their cached
 * offers; one HMGET gives a decision both.
 */
const brandKey = (brandId: string) => `pe:brand:{b:${brandId}}`;

export interface BrandCatalog {
  offers: OfferSnapshot[];
  settings: BrandSettings | null;
}

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

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** APPLY_IF_NEWER, sent once and then called by its SHA (EVALSHA). */
    engineApplyIfNewer(key: string, version: number, snapshot: string): Result<number, Context>;
  }
}

/**
 * The engine's Redis projection of the offer, store and brand catalogs. Decisions read it on the
 * hot path, so parsed snapshots are cached in the process and revalidated on every read with one
 * small Redis read (a version), never trusted blindly: another replica may have applied a change.
 */
@Injectable()
export class CatalogRepository {
  private readonly brandsCache = new Map<string, BrandCatalog & { offersVersion: string; rawSettings: string | null }>();
  private readonly storesCache = new Map<string, { version: string; store: StoreSnapshot | null }>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    redis.defineCommand('engineApplyIfNewer', { numberOfKeys: 1, lua: APPLY_IF_NEWER });
  }

  async upsertOffer(offer: OfferSnapshot): Promise<void> {
    const applied = await this.redis.engineApplyIfNewer(offerKey(offer.offerId), offer.version, JSON.stringify(offer));
    if (applied === 1) await this.redis.multi().sadd(brandOffersKey(offer.brandId), offer.offerId).hincrby(brandKey(offer.brandId), 'offersVersion', 1).exec();
  }

  async removeOffer(offerId: string, brandId: string, version: number): Promise<void> {
    const applied = await this.redis.engineApplyIfNewer(offerKey(offerId), version, '');
    if (applied === 1) await this.redis.multi().srem(brandOffersKey(brandId), offerId).hincrby(brandKey(brandId), 'offersVersion', 1).exec();
  }

  async offersOfBrand(brandId: string): Promise<OfferSnapshot[]> {
    return (await this.brand(brandId)).offers;
  }

  /** The brand's offers and settings, from the process cache when the brand's versions match. */
  async brand(brandId: string): Promise<BrandCatalog> {
    const [version, rawSettings] = await this.redis.hmget(brandKey(brandId), 'offersVersion', 'snapshot');
    const offersVersion = version ?? '0';
    let cached = this.brandsCache.get(brandId);
    if (!cached || cached.offersVersion !== offersVersion) {
      cached = { offersVersion, offers: await this.loadOffers(brandId), rawSettings: null, settings: null };
      remember(this.brandsCache, brandId, cached);
    }
    if (cached.rawSettings !== rawSettings) {
      cached.rawSettings = rawSettings;
      cached.settings = rawSettings ? (JSON.parse(rawSettings) as BrandSettings) : null;
    }
    return cached;
  }

  private async loadOffers(brandId: string): Promise<OfferSnapshot[]> {
    const ids = await this.redis.smembers(brandOffersKey(brandId));
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(offerKey(id), 'snapshot');
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, raw]) => raw).filter((raw): raw is string => typeof raw === 'string').map((raw) => JSON.parse(raw) as OfferSnapshot);
  }

  /**
   * Applies store snapshots and deletions, in order, in one pipeline (catalog.store.v1 arrives in
   * batches of thousands when a brand imports its stores). Each store's write is guarded by its
   * version, so a batch handled twice, or an older version arriving late, changes nothing.
   */
  async applyStores(events: EventOf<typeof Topics.StoreCatalog>[]): Promise<void> {
    if (events.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const e of events) {
      if (e.type === 'store.upserted') pipeline.engineApplyIfNewer(storeKey(e.data.storeId), e.data.version, JSON.stringify(e.data));
      else pipeline.engineApplyIfNewer(storeKey(e.data.storeId), e.data.version, '');
    }
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
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
    await this.redis.engineApplyIfNewer(brandKey(settings.brandId), settings.version, JSON.stringify(settings));
  }
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= MAX_CACHED && !cache.has(key)) cache.clear();
  cache.set(key, value);
}
