import { Geofence, StoreSnapshot } from '@app/contracts';
import { CircleFence, LatLng, PolygonFence, PreparedFence, prepareFence } from '@app/geo';
import { REDIS, Redis, callCommand, defineBatchCommand } from '@app/redis';
import type { Result } from 'ioredis';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { GEO_MAX_LAT, LOCAL_REACH_M, Placement, cellsCovering, metresToPolarBand, placementOf } from './cells';

/*
 * Key layout (every key carries a hash tag, and every multi-key step stays inside one tag, so it
 * runs on Redis Cluster):
 *   store:{s:<storeId>}               hash: version, snapshot, the set and member the store is filed under
 *   geo:{b:<brand>}:c:<row>:<col>     GEO set of the brand's stores in one 1° cell; members `<storeId>@<version>`,
 *                                     and a circle's `<storeId>@<version>#<lat>,<lng>,<radiusM>` (memberOf)
 *   geo:{b:<brand>}:c:<row>:<col>:reach   sorted set member → reach (m): the cell's largest reach is its search radius
 *   geo:{b:<brand>}:c:<row>:<col>:r   GEO set of the regional fences (reach > LOCAL_REACH_M) overlapping the cell
 *   geo:{b:<brand>}:c:<row>:<col>:r:reach   their reaches
 *   geo:{b:<brand>}:w                 GEO set of the brand's stores reaching farther than LOCAL_REACH_M
 *   geo:{b:<brand>}:w:reach           their reaches
 *   geo:{b:<brand>}:w:polar:<n|s>     sorted set member → reach of stores at |lat| ≥ 84° (tested one by one)
 *   idx:{geofence}:built              set once the index was rebuilt from the whole compacted topic
 * No key grows with the number of stores beyond one brand's stores in one 1° cell (or its few wide
 * and polar fences); see docs/geofence.md for the sizes measured. A brand's sets share one tag, so
 * one script searches every cell a batch of fixes needs (SEARCH_BRAND): on a cluster, a brand's
 * index lives on one node, as its Pages' shopper state does (visit-state.repository.ts).
 */
const storeKey = (storeId: string) => `store:{s:${storeId}}`;
export const cellKey = (brandId: string, cell: string) => `geo:{b:${brandId}}:c:${cell}`;
export const regionalKey = (brandId: string, cell: string) => `${cellKey(brandId, cell)}:r`;
const wideKey = (brandId: string) => `geo:{b:${brandId}}:w`;
const polarKey = (brandId: string, lat: number) => `${wideKey(brandId)}:polar:${lat >= 0 ? 'n' : 's'}`;
const BUILT_KEY = 'idx:{geofence}:built';

/** The sets a store is filed in (several for a regional fence). */
function setKeysOf(brandId: string, placement: Placement, lat: number): string[] {
  if (placement.kind === 'cell') return [cellKey(brandId, placement.cell)];
  if (placement.kind === 'regional') return placement.cells.map((cell) => regionalKey(brandId, cell));
  if (placement.kind === 'wide') return [wideKey(brandId)];
  return [polarKey(brandId, lat)];
}

/**
 * A store's member in its sets: `<storeId>@<version>`, and for a circle also its exact centre and
 * radius, `<storeId>@<version>#<lat>,<lng>,<radiusM>`, written as JavaScript's shortest decimals
 * that parse back to the same doubles. A search builds a circle's fence from the member
 * (circleOfMember), instead of reading and parsing the store's snapshot or keeping it in the
 * process cache: with a million stores most candidates missed the cache (3.3 snapshot reads per
 * evaluation in the bench of 3 December), and most stores are circles. A polygon's vertices do not
 * fit in a member; its snapshot is read as before. Members of the older form (no `#`) stay valid.
 */
export function memberOf(store: FencedStore): string {
  const { storeId, version, location, geofence } = store;
  return geofence.type === 'circle' ? `${storeId}@${version}#${location.lat},${location.lng},${geofence.radiusM}` : `${storeId}@${version}`;
}

/** A member's store id and version, and where its circle's geometry starts (-1: none, a polygon or an older member). */
export function parseMember(member: string): { storeId: string; version: number; circleAt: number } {
  const at = member.lastIndexOf('@');
  const mark = member.indexOf('#', at);
  return {
    storeId: member.slice(0, at),
    version: Number(mark === -1 ? member.slice(at + 1) : member.slice(at + 1, mark)),
    circleAt: mark === -1 ? -1 : mark + 1,
  };
}

/** The circle a member carries (from `circleAt`, parseMember), or null when it does not parse. */
export function circleOfMember(member: string, circleAt: number, storeId: string, brandId: string, version: number): FencedStore | null {
  const [lat, lng, radiusM] = member.slice(circleAt).split(',').map(Number);
  if (!Number.isFinite(lat) || !Number.isFinite(lng) || !(radiusM > 0)) return null;
  return { storeId, brandId, version, location: { lat, lng }, geofence: { type: 'circle', radiusM } };
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

// One brand's searches for a batch of fixes, each over the cells its slack overlaps.
// KEYS: per cell, its set, reach, regional set and regional reach; then, when ARGV[2] is '1', the
// brand's wide set, wide reach, and polar lists n and s. ARGV: number of cells, '1' to search the
// wide sets, then per fix: lng, lat, slack (m), searchable ('1' when lat is within GEO's range),
// metres to the polar band, its number of cells, and their indexes (1-based).
// Returns { wide, members of fix 1, members of fix 2, … }, each member once per fix: wide is '1' or
// '0' (does the brand have wide or polar fences at all) when asked, '' otherwise. A cell's largest
// reach is read once.
const SEARCH_BRAND = `
local cells = tonumber(ARGV[1])
local top, all = {}, {}
local function reachOf(k)
  if top[k] == nil then
    local t = redis.call('ZREVRANGE', KEYS[k + 1], 0, 0, 'WITHSCORES')
    top[k] = #t > 0 and tonumber(t[2]) or false
  end
  return top[k]
end
local function search(k, out, seen, lng, lat, slack, searchable)
  local reach = reachOf(k)
  if not reach then return end
  local found
  if searchable ~= '1' then
    if all[k] == nil then all[k] = redis.call('ZRANGE', KEYS[k + 1], 0, -1) end
    found = all[k]
  else
    found = redis.call('GEOSEARCH', KEYS[k], 'FROMLONLAT', lng, lat, 'BYRADIUS', (reach + slack) * 1.001 + 1, 'm')
  end
  for _, m in ipairs(found) do
    if not seen then
      out[#out + 1] = m
    elseif not seen[m] then
      seen[m] = true
      out[#out + 1] = m
    end
  end
end
local result = { '' }
local wide = 4 * cells + 1
if ARGV[2] == '1' then
  result[1] = redis.call('EXISTS', KEYS[wide + 1], KEYS[wide + 2], KEYS[wide + 3]) == 0 and '0' or '1'
end
local a = 3
while a < #ARGV do
  local lng, lat, slack, searchable, toPolar, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3], tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
  local out = {}
  -- A regional fence is filed in every cell it overlaps: a fix reading several cells may meet it
  -- more than once, and keeps it once. (A store is in cell sets or in the wide ones, never both.)
  local seen = n > 1 and {} or nil
  for c = 1, n do
    local k = 4 * (tonumber(ARGV[a + 5 + c]) - 1) + 1
    search(k, out, seen, lng, lat, slack, searchable)
    search(k + 2, out, seen, lng, lat, slack, searchable)
  end
  if result[1] == '1' then
    search(wide, out, nil, lng, lat, slack, searchable)
    local polar = tonumber(lat) >= 0 and wide + 2 or wide + 3
    for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[polar], toPolar - slack, '+inf')) do out[#out + 1] = m end
  end
  result[#result + 1] = out
  a = a + 6 + n
end
return result`;

/** Fixes per SEARCH_BRAND call, as the visit state's batch scripts. */
const SEARCH_BATCH = 128;

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

/** A fix to find candidate stores for: the brand's fences within `slackM` of (lat, lng). */
export interface CandidateQuery {
  brandId: string;
  lat: number;
  lng: number;
  slackM: number;
}

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
 * search for the stores whose fence may contain a point. Polygons' prepared fences are cached in
 * process, keyed by version: a new version is a new set member, so a stale cache entry is never
 * used. Circles are built from their members.
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
    // Sent at once, not through the auto-pipeline (libs/redis defineBatchCommand).
    defineBatchCommand(redis, 'geofenceSearchBrand', { lua: SEARCH_BRAND });
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
      return { change: c, storeId: c.store.storeId, member: memberOf(store), sets, fence, placement, store };
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
        // Not a circle: its member carries it, and a search builds it from there (circleFrom).
        if (store.geofence.type !== 'circle') {
          this.cache.set(store.storeId, store.version, {
            store: new CachedStore(store.storeId, this.brandIdOf(store.brandId), store.version, store.location, p.fence),
            fence: p.fence,
          });
        }
        if (p.placement.kind === 'wide' || p.placement.kind === 'polar') this.noWideFences.delete(store.brandId);
      }
      return true;
    });
    // Adds before removes: a version superseded within the chunk is added, then removed. A
    // member (`<store>@<version>…`) is never added again once a newer version has removed it.
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
    const [found] = await this.candidatesMany([{ brandId, lat, lng, slackM }]);
    return found;
  }

  /**
   * candidates() for many fixes at once, in their order: one SEARCH_BRAND script per brand and
   * SEARCH_BATCH fixes (each cell's largest reach read once per call), then one HGET per polygon
   * missing from the process cache (a circle is built from its member, never cached or read).
   */
  async candidatesMany(queries: readonly CandidateQuery[]): Promise<IndexedStore[][]> {
    const byBrand = new Map<string, number[]>();
    queries.forEach((q, i) => {
      const mine = byBrand.get(q.brandId);
      if (mine) mine.push(i);
      else byBrand.set(q.brandId, [i]);
    });
    const members: string[][] = new Array(queries.length);
    const now = Date.now();
    const calls: Promise<void>[] = [];
    for (const [brandId, all] of byBrand) {
      for (let from = 0; from < all.length; from += SEARCH_BATCH) {
        const slice = all.slice(from, from + SEARCH_BATCH);
        calls.push(this.searchBrand(brandId, slice.map((i) => queries[i]), now).then((found) => slice.forEach((q, j) => (members[q] = found[j]))));
      }
    }
    await Promise.all(calls);
    const out: IndexedStore[][] = members.map(() => []);
    // Cached stores first, then the ones read back, each in the order found (as one search would).
    const misses: { q: number; store: Promise<IndexedStore | null> }[] = [];
    members.forEach((list, q) => {
      for (const member of list) {
        const { storeId, version, circleAt } = parseMember(member);
        const cached = (circleAt === -1 ? undefined : this.circleFrom(member, circleAt, storeId, queries[q].brandId, version)) ?? this.cache.get(storeId, version);
        if (cached) out[q].push(cached);
        else misses.push({ q, store: this.load(storeId, version) });
      }
    });
    if (misses.length === 0) return out;
    const loaded = await Promise.all(misses.map((m) => m.store));
    loaded.forEach((store, i) => void (store && out[misses[i].q].push(store)));
    return out;
  }

  /** One SEARCH_BRAND call: each fix's members (memberOf), in the fixes' order. */
  private async searchBrand(brandId: string, queries: CandidateQuery[], now: number): Promise<string[][]> {
    const cells = new Map<string, number>();
    const keys: string[] = [];
    const argv: (string | number)[] = [];
    for (const q of queries) {
      const covering = cellsCovering(q.lat, q.lng, LOCAL_REACH_M + q.slackM);
      argv.push(q.lng, q.lat, q.slackM, Math.abs(q.lat) <= GEO_MAX_LAT ? '1' : '0', metresToPolarBand(q.lat), covering.length);
      for (const cell of covering) {
        let n = cells.get(cell);
        if (n === undefined) {
          const key = cellKey(brandId, cell);
          const regional = regionalKey(brandId, cell);
          keys.push(key, `${key}:reach`, regional, `${regional}:reach`);
          n = cells.size + 1;
          cells.set(cell, n);
        }
        argv.push(n);
      }
    }
    const askWide = (this.noWideFences.get(brandId) ?? 0) < now;
    if (askWide) {
      const wide = wideKey(brandId);
      keys.push(wide, `${wide}:reach`, polarKey(brandId, 1), polarKey(brandId, -1));
    }
    const [wide, ...found] = await callCommand<[string, ...string[][]]>(this.redis, 'geofenceSearchBrand', [keys.length, ...keys, cells.size, askWide ? '1' : '0', ...argv]);
    if (wide === '0') this.noWideFences.set(brandId, now + NO_WIDE_FENCES_TTL_MS);
    else if (wide === '1') this.noWideFences.delete(brandId);
    return found;
  }

  /**
   * A circle from its member, every time it is found; undefined if the member does not parse (an
   * older member without its circle: then the cache or its hash). Not cached: building it costs a
   * split, three numbers and two small objects, which die young, while a cache of circles churned at a
   * million stores, each evicted entry garbage in the old generation (the index alone went from
   * 11,573–11,884 to 19,301–20,400 lookups/s at 1M without it, BENCHMARKS.md, 4 December). So the
   * cache holds polygons, whose vertices do not fit in a member.
   */
  private circleFrom(member: string, circleAt: number, storeId: string, brandId: string, version: number): IndexedStore | undefined {
    const store = circleOfMember(member, circleAt, storeId, brandId, version);
    if (!store) return undefined;
    return indexedStoreOf(store, storeId, this.brandIdOf(brandId));
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
