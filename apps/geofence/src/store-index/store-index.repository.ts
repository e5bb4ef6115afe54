import { Geofence, StoreSnapshot } from '@app/contracts';
import { CircleFence, LatLng, PolygonFence, PreparedFence, prepareFence } from '@app/geo';
import { REDIS, Redis } from '@app/redis';
import type { Result } from 'ioredis';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { GEO_MAX_LAT, LOCAL_REACH_M, Placement, cellsCovering, metresToPolarBand, placementOf } from './cells';

/*
 * Key layout (every key carries a hash tag, and every multi-key step stays inside one tag, so it
 * runs on Redis Cluster):
 *   store:{s:<storeId>}               hash: version, snapshot, the set and member the store is filed under
 *   geo:{b:<brand>:c:<row>:<col>}     GEO set of the brand's stores in one 1° cell; members `<storeId>@<version>`
 *   geo:{b:<brand>:c:<row>:<col>}:reach   sorted set member → reach (m): the cell's largest reach is its search radius
 *   geo:{b:<brand>:c:<row>:<col>}:r   GEO set of the regional fences (reach > LOCAL_REACH_M) overlapping the cell
 *   geo:{b:<brand>:c:<row>:<col>}:r:reach   their reaches
 *   geo:{b:<brand>:w}                 GEO set of the brand's stores reaching farther than LOCAL_REACH_M
 *   geo:{b:<brand>:w}:reach           their reaches
 *   geo:{b:<brand>:w}:polar:<n|s>     sorted set member → reach of stores at |lat| ≥ 84° (tested one by one)
 *   idx:{geofence}:built              set once the index was rebuilt from the whole compacted topic
 * No key grows with the number of stores beyond one brand's stores in one 1° cell (or its few wide
 * and polar fences); see docs/geofence.md for the sizes measured.
 */
const storeKey = (storeId: string) => `store:{s:${storeId}}`;
const cellKey = (brandId: string, cell: string) => `geo:{b:${brandId}:c:${cell}}`;
const regionalKey = (brandId: string, cell: string) => `${cellKey(brandId, cell)}:r`;
const wideKey = (brandId: string) => `geo:{b:${brandId}:w}`;
const polarKey = (brandId: string, lat: number) => `geo:{b:${brandId}:w}:polar:${lat >= 0 ? 'n' : 's'}`;
const BUILT_KEY = 'idx:{geofence}:built';

/** The sets a store is filed in (several for a regional fence). */
function setKeysOf(brandId: string, placement: Placement, lat: number): string[] {
  if (placement.kind === 'cell') return [cellKey(brandId, placement.cell)];
  if (placement.kind === 'regional') return placement.cells.map((cell) => regionalKey(brandId, cell));
  if (placement.kind === 'wide') return [wideKey(brandId)];
  return [polarKey(brandId, lat)];
}

/** The store hash keeps its sets as one field: a key, or a JSON array of keys (regional fences). */
const encodeSets = (keys: string[]) => (keys.length === 1 ? keys[0] : JSON.stringify(keys));
const decodeSets = (field: string) => (field.startsWith('[') ? (JSON.parse(field) as string[]) : [field]);

// KEYS: store. ARGV: version, snapshot ('' = deleted), set key, member.
// Returns nil when a newer version is already applied, else {previous set, previous member}
// (the same answer again for a redelivered version, so the set update can be redone). Returns 0
// for an event of the applied version whose snapshot differs from the one applied: not a
// redelivery but a conflicting (corrupt) event, which must not move the store.
const RECORD_STORE = `
local cur = redis.call('HMGET', KEYS[1], 'version', 'set', 'member', 'prevSet', 'prevMember')
local v = tonumber(ARGV[1])
if cur[1] then
  local c = tonumber(cur[1])
  if c > v then return false end
  if c == v then
    if (redis.call('HGET', KEYS[1], 'snapshot') or '') ~= ARGV[2] then return 0 end
    return { cur[4] or '', cur[5] or '' }
  end
end
local prevSet, prevMember = cur[2] or '', cur[3] or ''
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'set', ARGV[3], 'member', ARGV[4], 'prevSet', prevSet, 'prevMember', prevMember)
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], 'snapshot') else redis.call('HSET', KEYS[1], 'snapshot', ARGV[2]) end
return { prevSet, prevMember }`;

// KEYS: set, reach, regional set, regional reach. ARGV: lng, lat, slack (m), searchable ('1' when
// lat is within GEO's range). Members of the cell's local and regional sets whose fence may hold the point.
const SEARCH_CELL = `
local out = {}
for k = 1, 3, 2 do
  local top = redis.call('ZREVRANGE', KEYS[k + 1], 0, 0, 'WITHSCORES')
  if #top > 0 then
    local found
    if ARGV[4] ~= '1' then
      found = redis.call('ZRANGE', KEYS[k + 1], 0, -1)
    else
      local r = (tonumber(top[2]) + tonumber(ARGV[3])) * 1.001 + 1
      found = redis.call('GEOSEARCH', KEYS[k], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', r, 'm')
    end
    for _, m in ipairs(found) do table.insert(out, m) end
  end
end
return out`;

// KEYS: wide set, wide reach, polar list of the point's hemisphere. ARGV: lng, lat, slack, searchable, metres to the polar band.
// The first element says whether the brand has wide or polar fences at all ('1'/'0').
const SEARCH_WIDE = `
local out = {}
if redis.call('EXISTS', KEYS[2], KEYS[3]) == 0 then return { '0' } end
local top = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if #top > 0 then
  if ARGV[4] ~= '1' then
    out = redis.call('ZRANGE', KEYS[2], 0, -1)
  else
    local r = (tonumber(top[2]) + tonumber(ARGV[3])) * 1.001 + 1
    out = redis.call('GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', r, 'm')
  end
end
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], tonumber(ARGV[5]) - tonumber(ARGV[3]), '+inf')) do table.insert(out, m) end
table.insert(out, 1, '1')
return out`;

/*
 * Most brands have no wide or polar fence; a replica remembers that for a few seconds instead of
 * asking on every fix. A wide fence created meanwhile (on another replica) is found at most this
 * late, which is within what the catalog's own propagation (outbox, Kafka) already takes.
 */
const NO_WIDE_FENCES_TTL_MS = 5_000;

/**
 * What the index keeps of a store: its identity and geometry. Names, hours and tags are the
 * engine's concern; leaving them out keeps each store's hash and each rebuild small.
 */
export type FencedStore = Pick<StoreSnapshot, 'storeId' | 'brandId' | 'version' | 'location' | 'geofence'>;

const fencedOf = ({ storeId, brandId, version, location, geofence }: StoreSnapshot): FencedStore => ({ storeId, brandId, version, location, geofence });

/** One catalog.store.v1 event, as the index applies it. */
export type StoreChange = { kind: 'upsert'; store: StoreSnapshot } | { kind: 'remove'; storeId: string; version: number };

/** A pipeline's replies, or its first error. */
function unwrap<T>(results: [Error | null, unknown][] | null): T[] {
  return (results ?? []).map(([error, value]) => {
    if (error) throw error;
    return value as T;
  });
}

export interface IndexedStore {
  store: FencedStore;
  fence: PreparedFence;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    geofenceRecordStore(key: string, version: number, snapshot: string, set: string, member: string): Result<[string, string] | 0 | null, Context>;
    geofenceSearchCell(
      set: string, reach: string, regional: string, regionalReach: string, lng: number, lat: number, slackM: number, searchable: string,
    ): Result<string[], Context>;
    geofenceSearchWide(
      set: string, reach: string, polar: string, lng: number, lat: number, slackM: number, searchable: string, toPolarM: number,
    ): Result<string[], Context>;
  }
}

interface CacheSlot {
  storeId: string;
  version: number;
  value: IndexedStore;
  used: boolean;
  /** Its place in the ring. */
  index: number;
  /** Its estimated heap bytes (bytesOf). */
  bytes: number;
}

/**
 * What the cache keeps of a store: its identity, its location (shared with a circle's fence) and
 * its prepared fence, which gives the geofence back on demand; the brand id is one string shared
 * by the brand's entries, the store id the cache's key. The parsed snapshot (an array per polygon
 * vertex) is not kept.
 */
export class CachedStore implements FencedStore {
  constructor(
    readonly storeId: string,
    readonly brandId: string,
    readonly version: number,
    readonly location: LatLng,
    private readonly prepared: CircleFence | PolygonFence,
  ) {}

  get geofence(): Geofence {
    return this.prepared.toGeofence();
  }

  get vertexCount(): number {
    return this.prepared instanceof PolygonFence ? this.prepared.vertexCount : 0;
  }
}

/** A store as the cache keeps it; `storeId` and `brandId` are the strings to share (the cache's key, the brand's). */
export function indexedStoreOf(store: FencedStore, storeId = store.storeId, brandId = store.brandId): IndexedStore {
  // A fresh two-field object: the parsed one may carry spare property slots.
  const location = { lat: store.location.lat, lng: store.location.lng };
  const fence = prepareFence({ location, geofence: store.geofence });
  return { store: new CachedStore(storeId, brandId, store.version, location, fence), fence };
}

const CIRCLE_BYTES = 300;
const POLYGON_BYTES = 440;
const VERTEX_BYTES = 14;

/**
 * Heap bytes one cached store takes (its CachedStore and prepared fence, the cache's slot and key),
 * estimated: a circle 300 bytes, a polygon 440 plus 14 per vertex. Measured on Node 20 (x64, no
 * pointer compression) with heapUsed after a full GC, over 30,000-50,000 stores filled as load()
 * fills the cache: circles 302, polygons of 5, 17 and 65 points 515, 653 and 1,331 bytes, the
 * bench's mix (70 % circles) 373. The parsed snapshots with turf features and closures it kept
 * before took 629 (circle) and 1,445 (7-point polygon).
 */
export function bytesOf(store: FencedStore): number {
  if (store instanceof CachedStore) return store.vertexCount === 0 ? CIRCLE_BYTES : POLYGON_BYTES + VERTEX_BYTES * store.vertexCount;
  const fence = store.geofence;
  if (fence.type === 'circle') return CIRCLE_BYTES;
  const polygons = (fence.type === 'polygon' ? [fence.coordinates] : fence.coordinates) as unknown[][][];
  let points = 0;
  for (const polygon of polygons) for (const ring of polygon) points += ring.length;
  return POLYGON_BYTES + VERTEX_BYTES * points;
}
/**
 * In-process cache of store snapshots and their prepared fences, by version, bounded by the heap
 * it takes (`budgetBytes`, estimated per entry by bytesOf) rather than by a count: a catalog of
 * 64-vertex polygons takes five times the memory of one of circles. Eviction is "second chance"
 * (CLOCK): a hand sweeps a ring of slots, a slot used since the hand last passed keeps its entry
 * (its flag is cleared), the first unused one is evicted. A hit only sets a flag (strict LRU's
 * delete and re-insert on every hit cost 2-3 % of the evaluation CPU), and eviction never
 * iterates the Map: taking the Map's oldest entry with `entries().next()` after many deletions
 * from its front grew to ~100 µs per eviction in V8 (1,000,000 stores filed through a
 * 200,000-entry cache took 232 s instead of 95 s; an eviction is now about a microsecond).
 */
export class FenceCache {
  private readonly entries = new Map<string, CacheSlot>();
  private readonly ring: (CacheSlot | null)[] = [];
  /** Slots emptied by delete or eviction, filled before the ring grows. */
  private readonly free: number[] = [];
  private hand = 0;
  private totalBytes = 0;

  constructor(private readonly budgetBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Estimated heap bytes of what the cache holds. */
  get bytes(): number {
    return this.totalBytes;
  }

  get(storeId: string, version: number): IndexedStore | undefined {
    const hit = this.entries.get(storeId);
    if (!hit || hit.version !== version) return undefined;
    hit.used = true;
    return hit.value;
  }

  set(storeId: string, version: number, value: IndexedStore): void {
    const bytes = bytesOf(value.store);
    let slot = this.entries.get(storeId);
    if (slot) {
      this.totalBytes += bytes - slot.bytes;
      Object.assign(slot, { version, value, bytes, used: false });
    } else {
      const index = this.free.pop() ?? this.ring.push(null) - 1;
      slot = { storeId, version, value, used: false, index, bytes };
      this.ring[index] = slot;
      this.entries.set(storeId, slot);
      this.totalBytes += bytes;
    }
    // Room is made by evicting others: an entry larger than the whole budget stays alone.
    while (this.totalBytes > this.budgetBytes && this.entries.size > 1) this.evictOne(slot);
  }

  delete(storeId: string): void {
    const hit = this.entries.get(storeId);
    if (hit) this.drop(hit);
  }

  /** The hand's victim, never `keep`: found within two turns of the ring (a pass clears a flag). */
  private evictOne(keep: CacheSlot): void {
    for (;;) {
      const slot = this.ring[this.hand];
      this.hand = (this.hand + 1) % this.ring.length;
      if (!slot || slot === keep) continue;
      if (slot.used) {
        slot.used = false;
        continue;
      }
      this.drop(slot);
      return;
    }
  }

  private drop(slot: CacheSlot): void {
    this.entries.delete(slot.storeId);
    this.ring[slot.index] = null;
    this.free.push(slot.index);
    this.totalBytes -= slot.bytes;
  }
}

export const STORE_CACHE_BYTES = Symbol('STORE_CACHE_BYTES');

/**
 * The Redis projection of catalog.store.v1, sharded per brand and 1° cell (cells.ts), and the
 * search for the stores whose fence may contain a point. Store snapshots and their prepared
 * fences are cached in process, keyed by version: a new version is a new set member, so a stale
 * cache entry is never used.
 */
@Injectable()
export class StoreIndexRepository {
  private readonly logger = new Logger(StoreIndexRepository.name);
  private readonly cache: FenceCache;
  /** Brands seen without wide or polar fences, until when (ms). */
  private readonly noWideFences = new Map<string, number>();
  /** One string per brand id for the cache's entries (each parsed snapshot brings its own copy). */
  private readonly brandIds = new Map<string, string>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(STORE_CACHE_BYTES) cacheBytes: number,
  ) {
    this.cache = new FenceCache(cacheBytes);
    redis.defineCommand('geofenceRecordStore', { numberOfKeys: 1, lua: RECORD_STORE });
    redis.defineCommand('geofenceSearchCell', { numberOfKeys: 4, lua: SEARCH_CELL });
    redis.defineCommand('geofenceSearchWide', { numberOfKeys: 3, lua: SEARCH_WIDE });
  }

  /** Applies a snapshot unless a newer version is already in; true when applied (or redone). */
  async upsert(store: StoreSnapshot): Promise<boolean> {
    const [applied] = await this.applyBatch([{ kind: 'upsert', store }]);
    return applied;
  }

  async remove(storeId: string, version: number): Promise<boolean> {
    const [applied] = await this.applyBatch([{ kind: 'remove', storeId, version }]);
    return applied;
  }

  /**
   * Applies store snapshots and deletions, in order, in two pipelines whatever their number (a
   * brand's import arrives as thousands of events): first every store's record (RECORD_STORE,
   * which answers where the previous version was filed), then the set updates of the changes that
   * applied. A store may appear several times; both pipelines keep the events' order, so its last
   * version wins. The store's hash and its sets carry different hash tags (Redis Cluster), so the
   * two steps cannot be one script: a crash between them is repaired by redelivery, because
   * RECORD_STORE answers the same again for a version already recorded. Within a set, a member's
   * reach is written before its GEO entry and removed after it, so a search never finds a member
   * without the reach that sizes its radius. True for each change applied (or redone).
   */
  async applyBatch(changes: StoreChange[]): Promise<boolean[]> {
    if (changes.length === 0) return [];
    const prepared = changes.map((c) => {
      if (c.kind === 'remove') return { change: c, storeId: c.storeId, member: '', sets: [] as string[] };
      const store = fencedOf(c.store);
      const fence = prepareFence(store);
      const placement = placementOf(c.store.location, fence.reachM);
      const sets = setKeysOf(c.store.brandId, placement, c.store.location.lat);
      return { change: c, storeId: c.store.storeId, member: `${c.store.storeId}@${c.store.version}`, sets, fence, placement, store };
    });
    const records = this.redis.pipeline();
    for (const p of prepared) {
      if (p.change.kind === 'remove') records.geofenceRecordStore(storeKey(p.storeId), p.change.version, '', '', '');
      else records.geofenceRecordStore(storeKey(p.storeId), p.change.store.version, JSON.stringify(p.store), encodeSets(p.sets), p.member);
    }
    const previous = unwrap<[string, string] | 0 | null>(await records.exec());
    // The set updates, grouped by set: one ZADD and one GEOADD per set for the whole chunk.
    const adds = new Map<string, { reach: (string | number)[]; geo: (string | number)[]; polar: boolean }>();
    const removes = new Map<string, string[]>();
    const applied = prepared.map((p, i) => {
      const prev = previous[i];
      if (p.change.kind === 'remove') this.cache.delete(p.storeId);
      if (prev === 0) {
        this.logger.warn(`ignored ${p.change.kind === 'remove' ? 'a deletion' : 'a snapshot'} of store ${p.storeId} at version ${p.change.kind === 'remove' ? p.change.version : p.change.store.version}: it differs from the one applied at that version`);
        return false;
      }
      if (!prev) return false;
      const [prevSets, prevMember] = prev;
      if (prevSets && prevMember && prevMember !== p.member) {
        for (const set of decodeSets(prevSets)) removes.set(set, [...(removes.get(set) ?? []), prevMember]);
      }
      if (p.change.kind === 'upsert' && p.fence && p.placement && p.store) {
        const { store } = p;
        const reach = Math.ceil(p.fence.reachM);
        for (const set of p.sets) {
          const add = adds.get(set) ?? { reach: [], geo: [], polar: p.placement.kind === 'polar' };
          add.reach.push(reach, p.member);
          if (!add.polar) add.geo.push(store.location.lng, store.location.lat, p.member);
          adds.set(set, add);
        }
        // The fence is prepared already: keep it, so a replica that rebuilt the index starts warm.
        this.cache.set(store.storeId, store.version, {
          store: new CachedStore(store.storeId, this.brandIdOf(store.brandId), store.version, store.location, p.fence),
          fence: p.fence,
        });
        if (p.placement.kind === 'wide' || p.placement.kind === 'polar') this.noWideFences.delete(store.brandId);
      }
      return true;
    });
    // Adds before removes: a version superseded within the chunk is added, then removed. A
    // member (`<store>@<version>`) is never added again once a newer version has removed it.
    const sets = this.redis.pipeline();
    for (const [set, add] of adds) {
      if (add.polar) sets.zadd(set, ...add.reach);
      else sets.zadd(`${set}:reach`, ...add.reach).geoadd(set, ...add.geo);
    }
    for (const [set, members] of removes) sets.zrem(set, ...members).zrem(`${set}:reach`, ...members);
    if (sets.length > 0) unwrap(await sets.exec());
    return applied;
  }

  /**
   * The brand's stores whose fence may contain a point within `slackM` of (lat, lng): every
   * store within its own reach plus the slack. A superset: the caller runs the exact test.
   */
  async candidates(brandId: string, lat: number, lng: number, slackM: number): Promise<IndexedStore[]> {
    const searchable = Math.abs(lat) <= GEO_MAX_LAT ? '1' : '0';
    const cells = cellsCovering(lat, lng, LOCAL_REACH_M + slackM);
    const searches = cells.map((cell) => {
      const key = cellKey(brandId, cell);
      const regional = regionalKey(brandId, cell);
      return this.redis.geofenceSearchCell(key, `${key}:reach`, regional, `${regional}:reach`, lng, lat, slackM, searchable);
    });
    const now = Date.now();
    if ((this.noWideFences.get(brandId) ?? 0) < now) {
      const wide = wideKey(brandId);
      searches.push(
        this.redis
          .geofenceSearchWide(wide, `${wide}:reach`, polarKey(brandId, lat), lng, lat, slackM, searchable, metresToPolarBand(lat))
          .then(([any, ...found]) => {
            if (any === '0') this.noWideFences.set(brandId, now + NO_WIDE_FENCES_TTL_MS);
            else this.noWideFences.delete(brandId);
            return found;
          }),
      );
    }
    const found: IndexedStore[] = [];
    const misses: Promise<IndexedStore | null>[] = [];
    // A regional fence overlaps several of the cells read; with one cell (most searches) no member
    // comes twice (a store is in the cell sets or in the wide ones, never both).
    const seen = cells.length > 1 ? new Set<string>() : null;
    for (const members of await Promise.all(searches)) {
      for (const member of members) {
        if (seen) {
          if (seen.has(member)) continue;
          seen.add(member);
        }
        const at = member.lastIndexOf('@');
        const storeId = member.slice(0, at);
        const version = Number(member.slice(at + 1));
        const cached = this.cache.get(storeId, version);
        if (cached) found.push(cached);
        else misses.push(this.load(storeId, version));
      }
    }
    if (misses.length === 0) return found;
    for (const s of await Promise.all(misses)) if (s) found.push(s);
    return found;
  }

  /** A store missing from the process cache (or cached at another version), read from its hash. */
  private async load(storeId: string, version: number): Promise<IndexedStore | null> {
    const raw = await this.redis.hget(storeKey(storeId), 'snapshot');
    if (!raw) return null;
    const store = JSON.parse(raw) as FencedStore;
    const value = indexedStoreOf(store, storeId, this.brandIdOf(store.brandId));
    this.cache.set(storeId, store.version, value);
    // A newer version than the member's is being filed right now: use it, it is more current.
    return store.version >= version ? value : null;
  }

  private brandIdOf(brandId: string): string {
    const known = this.brandIds.get(brandId);
    if (known !== undefined) return known;
    this.brandIds.set(brandId, brandId);
    return brandId;
  }

  async isBuilt(): Promise<boolean> {
    return (await this.redis.exists(BUILT_KEY)) === 1;
  }

  async markBuilt(at: Date): Promise<void> {
    await this.redis.set(BUILT_KEY, at.toISOString());
  }
}
