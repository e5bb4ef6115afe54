import { REDIS, Redis } from '@app/redis';
import type { Result } from 'ioredis';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BrandDwellThresholds, DwellOffer } from './dwell-thresholds';

/*
 * The geofence's projection of catalog.offer.v1: only what decides when a visit emits `dwell`.
 *   dwell:offer:{o:<offerId>}            `<version>|<state>` applied (every offer; orders redeliveries, refuses a same-version conflict)
 *   dwell:brand:{b:<brandId>}            hash offerId → {dwellSeconds, storeIds} of the brand's active dwell offers
 *   dwell:brand:{b:<brandId>}:version    bumped on every change of that hash (same hash tag, one MULTI)
 *   idx:{geofence}:dwell-built           set once the projection holds the whole compacted topic
 * The brand hash holds a brand's live dwell offers only, so it does not grow with deleted ones;
 * a deleted offer's version key expires after the topic's delete.retention.ms (a tombstone older
 * than that is compacted away, so no older snapshot of it can come back after it).
 */
const offerKey = (offerId: string) => `dwell:offer:{o:${offerId}}`;
const brandKey = (brandId: string) => `dwell:brand:{b:${brandId}}`;
const brandVersionKey = (brandId: string) => `dwell:brand:{b:${brandId}}:version`;
const BUILT_KEY = 'idx:{geofence}:dwell-built';
/** catalog topics' delete.retention.ms (7 days). */
const DELETED_OFFER_TTL_SECONDS = 7 * 24 * 3600;
/** Brands whose thresholds are kept in process (cleared when full: it is only a cache). */
const MAX_CACHED_BRANDS = 10_000;

// KEYS: offer. ARGV: version, TTL (s, 0 = none), the state applied (its JSON, or '' when none).
// The key holds `<version>|<state>`. 1 when this version is new, or the one applied with the same
// state (a redelivery redoes the brand step); 0 when a newer one is applied already; -1 when this
// version was applied with another state: not a redelivery but a conflicting (corrupt) event.
const RECORD_OFFER = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local sep = string.find(cur, '|', 1, true)
  local c = tonumber(sep and string.sub(cur, 1, sep - 1) or cur)
  local v = tonumber(ARGV[1])
  if c > v then return 0 end
  if c == v and sep and string.sub(cur, sep + 1) ~= ARGV[3] then return -1 end
end
local value = ARGV[1] .. '|' .. ARGV[3]
if tonumber(ARGV[2]) > 0 then redis.call('SET', KEYS[1], value, 'EX', ARGV[2]) else redis.call('SET', KEYS[1], value) end
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    geofenceRecordOffer(key: string, version: number, ttlSeconds: number, state: string): Result<number, Context>;
  }
}

/**
 * Dwell thresholds per brand and store, in Redis (shared by the replicas) and cached in process
 * by the brand's projection version: a replica reads the versions of a chunk's brands in one
 * round trip and re-reads a brand's hash only when its version moved.
 */
@Injectable()
export class DwellThresholdRepository {
  private readonly logger = new Logger(DwellThresholdRepository.name);
  private readonly cache = new Map<string, { version: string; thresholds: BrandDwellThresholds }>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {
    redis.defineCommand('geofenceRecordOffer', { numberOfKeys: 1, lua: RECORD_OFFER });
  }

  /** Applies an offer's state (null: not a live dwell offer, or deleted) unless a newer version is in. */
  async apply(offerId: string, brandId: string, version: number, dwell: DwellOffer | null, deleted: boolean): Promise<boolean> {
    const state = dwell ? JSON.stringify(dwell) : deleted ? 'deleted' : '';
    const recorded = await this.redis.geofenceRecordOffer(offerKey(offerId), version, deleted ? DELETED_OFFER_TTL_SECONDS : 0, state);
    if (recorded === -1) this.logger.warn(`ignored a change of offer ${offerId} at version ${version}: it differs from the one applied at that version`);
    if (recorded !== 1) return false;
    const tx = this.redis.multi();
    if (dwell) tx.hset(brandKey(brandId), offerId, state);
    else tx.hdel(brandKey(brandId), offerId);
    await tx.incr(brandVersionKey(brandId)).exec();
    return true;
  }

  /** The current thresholds of each brand (one pipelined round trip, plus one per brand that changed). */
  async forBrands(brandIds: Iterable<string>): Promise<Map<string, BrandDwellThresholds>> {
    const ids = [...new Set(brandIds)];
    const versions = await Promise.all(ids.map((id) => this.redis.get(brandVersionKey(id))));
    const out = new Map<string, BrandDwellThresholds>();
    await Promise.all(
      ids.map(async (brandId, i) => {
        const version = versions[i] ?? '0';
        const cached = this.cache.get(brandId);
        if (cached?.version === version) {
          out.set(brandId, cached.thresholds);
          return;
        }
        const thresholds = version === '0' ? BrandDwellThresholds.NONE : await this.load(brandId);
        if (this.cache.size >= MAX_CACHED_BRANDS && !this.cache.has(brandId)) this.cache.clear();
        // Cached under the version read first: a change landing in between only causes a re-read.
        this.cache.set(brandId, { version, thresholds });
        out.set(brandId, thresholds);
      }),
    );
    return out;
  }

  private async load(brandId: string): Promise<BrandDwellThresholds> {
    const all = await this.redis.hgetall(brandKey(brandId));
    return new BrandDwellThresholds(Object.values(all).map((raw) => JSON.parse(raw) as DwellOffer));
  }

  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(BUILT_KEY)) === 1;
  }

  async markBuilt(at: Date): Promise<void> {
    await this.redis.set(BUILT_KEY, at.toISOString());
  }
}
