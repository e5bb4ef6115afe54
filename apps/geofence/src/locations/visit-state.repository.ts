import { REDIS, Redis, callCommand, defineBatchCommand } from '@app/redis';
import type { Result } from 'ioredis';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Fix } from './location-quality';
import type { OpenVisit, ProposedTransitions } from './visit-rules';

/*
 * Per shopper, under the hash tag of the shopper's Page ({p:<pageId>}, the first part of a shopper
 * id `<pageId>:<psid>`): one script may then read or write many of a Page's shoppers at once, and
 * each still touches one slot on Redis Cluster.
 *   fix:{p:…}:<psid>            the last accepted fix, the id of its event and that event's outcome
 *   visits:{p:…}:<psid>         hash storeId → open visit {visitId, enteredAtMs, dwelledSeconds, brandId}
 *   outcome:{p:…}:<psid>:<id>   an event's transitions, kept an hour so a redelivered event that is no
 *                               longer the last one still re-publishes what it caused
 *   exits:{p:…}:<psid>          visits closed for lack of shares whose exit is being published (leased)
 * Shared, sharded in 16 buckets by shopper:
 *   visits:deadlines:{vd:<n>}   sorted set shopperId → when their open visits expire (ms)
 * Every key expires; state keys live twice the state TTL so the sweeper, not Redis, ends visits.
 * Until 3 December 2026 the tag was the shopper's own ({sh:<shopperId>}); see docs/geofence.md for
 * what a deployment holding such keys would do.
 */
/** `{p:<pageId>}:<psid>`: the part of a shopper's keys after their kind. */
function shopperSlot(shopperId: string): string {
  const at = shopperId.indexOf(':');
  return `{p:${shopperId.slice(0, at)}}:${shopperId.slice(at + 1)}`;
}
const pageOf = (shopperId: string) => shopperId.slice(0, shopperId.indexOf(':'));
export const fixKey = (shopperId: string) => `fix:${shopperSlot(shopperId)}`;
export const visitsKey = (shopperId: string) => `visits:${shopperSlot(shopperId)}`;
const outcomeKey = (shopperId: string, eventId: string) => `outcome:${shopperSlot(shopperId)}:${eventId}`;
const exitsKey = (shopperId: string) => `exits:${shopperSlot(shopperId)}`;
export const DEADLINE_BUCKETS = 16;
const bucketKey = (n: number) => `visits:deadlines:{vd:${n}}`;
const bucketOf = (shopperId: string) => createHash('sha1').update(shopperId).digest().readUInt16BE(0) % DEADLINE_BUCKETS;
/** Shoppers per batch script call: bounds how long one call holds Redis (a few hundred µs). */
const BATCH_CHUNK = 128;
const OUTCOME_TTL_SECONDS = 3600;

export interface AppliedTransition {
  t: 'enter' | 'dwell' | 'exit';
  storeId: string;
  visitId: string;
  distanceM: number;
  dwellSeconds?: number;
}

export interface ShopperState {
  /** `visitsTtlAt`: sharedAt of the fix whose write last pushed the visits' expiry back (see record). */
  last: { eventId: string; fix: Fix; visitsTtlAt: number } | null;
  open: Map<string, OpenVisit>;
}

export interface ExpiredVisit {
  storeId: string;
  visitId: string;
  brandId: string;
  lastEventId: string;
  lastSource: string;
  lastSharedAtMs: number;
}

// KEYS: fix, visits of each shopper, one Page's. For each: the last accepted fix (or nil) and the
// open visits (flat field, value list).
const READ_STATES = `
local out = {}
for i = 1, #KEYS, 2 do
  out[i] = redis.call('GET', KEYS[i]) or false
  out[i + 1] = redis.call('HGETALL', KEYS[i + 1])
end
return out`;

// KEYS: fix, visits of each shopper, one Page's. ARGV: key TTL (s), then per shopper the last fix
// (JSON) and '1' when the open visits' expiry is to be pushed back. Writes what record() describes.
const RECORD_FIXES = `
local ttl = ARGV[1]
for i = 1, #KEYS, 2 do
  redis.call('SET', KEYS[i], ARGV[i + 1], 'EX', ttl)
  if ARGV[i + 2] == '1' then redis.call('EXPIRE', KEYS[i + 1], ttl) end
end
return #KEYS / 2`;

/*
 * One atomic step per location event and shopper, for several shoppers of one Page at once.
 * KEYS: per shopper, fix, visits, outcome. ARGV: key TTL (s), outcome TTL (s), then per shopper
 * eventId, sharedAtMs, fix JSON, proposal JSON, brandId.
 * A redelivered event gets its first outcome back; a fix not newer than the last accepted one is
 * refused; an enter opens a visit only where none is open, a dwell fires only while the threshold
 * it crossed is above how far the visit's dwell was emitted (`dwelledSeconds`, then moved up to the
 * dwell's time inside: once per threshold per visit), an exit closes only the visit it was proposed
 * for. Returns, per shopper, the outcome JSON (or OUT_OF_ORDER) and the open visits left.
 */
const APPLY_FIXES = `
local function apply(fixKey, visitsKey, outcomeKey, eventId, sharedAtMs, fixJson, proposal, brandId)
  local done = redis.call('GET', outcomeKey)
  if done then return done, redis.call('HLEN', visitsKey) end
  local last = redis.call('GET', fixKey)
  if last then
    local l = cjson.decode(last)
    if l.eventId == eventId then return l.result, redis.call('HLEN', visitsKey) end
    if tonumber(l.sharedAtMs) >= tonumber(sharedAtMs) then return 'OUT_OF_ORDER', 0 end
  end
  local p = cjson.decode(proposal)
  local at = tonumber(sharedAtMs)
  local result = {}
  for _, e in ipairs(p.enter) do
    if redis.call('HEXISTS', visitsKey, e.storeId) == 0 then
      redis.call('HSET', visitsKey, e.storeId, cjson.encode({ visitId = e.visitId, enteredAtMs = at, dwelledSeconds = 0, brandId = brandId }))
      table.insert(result, { t = 'enter', storeId = e.storeId, visitId = e.visitId, distanceM = e.distanceM })
    end
  end
  for _, d in ipairs(p.dwell) do
    local raw = redis.call('HGET', visitsKey, d.storeId)
    if raw then
      local v = cjson.decode(raw)
      if v.visitId == d.visitId and tonumber(v.dwelledSeconds or 0) < d.thresholdS and d.dwellSeconds >= d.thresholdS then
        v.dwelledSeconds = d.dwellSeconds
        v.dwelled = nil
        redis.call('HSET', visitsKey, d.storeId, cjson.encode(v))
        table.insert(result, { t = 'dwell', storeId = d.storeId, visitId = d.visitId, distanceM = d.distanceM, dwellSeconds = d.dwellSeconds })
      end
    end
  end
  for _, x in ipairs(p.exit) do
    local raw = redis.call('HGET', visitsKey, x.storeId)
    if raw and cjson.decode(raw).visitId == x.visitId then
      redis.call('HDEL', visitsKey, x.storeId)
      table.insert(result, { t = 'exit', storeId = x.storeId, visitId = x.visitId, distanceM = x.distanceM })
    end
  end
  local encoded = '[]'
  if #result > 0 then
    encoded = cjson.encode(result)
    redis.call('SET', outcomeKey, encoded, 'EX', ARGV[2])
  end
  redis.call('SET', fixKey, cjson.encode({ eventId = eventId, sharedAtMs = at, fix = fixJson, result = encoded, visitsTtlAt = at }), 'EX', ARGV[1])
  redis.call('EXPIRE', visitsKey, ARGV[1])
  return encoded, redis.call('HLEN', visitsKey)
end
local out = {}
for i = 1, #KEYS / 3 do
  local k, a = 3 * (i - 1), 3 + 5 * (i - 1)
  local encoded, left = apply(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4])
  out[2 * i - 1] = encoded
  out[2 * i] = left
end
return out`;

/*
 * Ends the visits of a shopper who has not shared for the state TTL. KEYS: fix, visits, exits.
 * ARGV: now (ms), state TTL (ms), lease (ms), key TTL (s). Expired visits move to the exits hash;
 * exits whose lease ran out are leased to this caller and returned, so two sweeping replicas
 * never both publish one exit (a replica that dies mid-publish lets the lease lapse, and another
 * re-publishes the same exit, with the same event id). Returns {exits JSON, next deadline or 0}.
 */
const EXPIRE_VISITS = `
local now = tonumber(ARGV[1])
local last = redis.call('GET', KEYS[1])
local l = { eventId = '', sharedAtMs = 0, fix = '{}' }
if last then l = cjson.decode(last) end
local deadline = tonumber(l.sharedAtMs) + tonumber(ARGV[2])
if deadline <= now then
  local all = redis.call('HGETALL', KEYS[2])
  for i = 1, #all, 2 do
    local v = cjson.decode(all[i + 1])
    v.lastEventId = l.eventId
    v.lastSharedAtMs = l.sharedAtMs
    v.lastSource = cjson.decode(l.fix).source or 'api'
    v.leaseUntil = 0
    redis.call('HSET', KEYS[3], all[i], cjson.encode(v))
  end
  redis.call('DEL', KEYS[2])
end
local out = {}
local pending = redis.call('HGETALL', KEYS[3])
for i = 1, #pending, 2 do
  local v = cjson.decode(pending[i + 1])
  if tonumber(v.leaseUntil) <= now then
    v.leaseUntil = now + tonumber(ARGV[3])
    redis.call('HSET', KEYS[3], pending[i], cjson.encode(v))
    table.insert(out, { storeId = pending[i], visitId = v.visitId, brandId = v.brandId, lastEventId = v.lastEventId,
      lastSource = v.lastSource, lastSharedAtMs = v.lastSharedAtMs })
  end
end
if #pending > 0 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
local encoded = '[]'
if #out > 0 then encoded = cjson.encode(out) end
local next = 0
if redis.call('EXISTS', KEYS[2]) == 1 then next = deadline end
if #pending > 0 and #out == 0 then next = now + tonumber(ARGV[3]) end
return { encoded, next }`;

// KEYS: exits. ARGV: storeId, visitId pairs. Forgets exits once they are published.
const ACK_EXITS = `
for i = 1, #ARGV, 2 do
  local raw = redis.call('HGET', KEYS[1], ARGV[i])
  if raw and cjson.decode(raw).visitId == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end
end
return 1`;

// KEYS: bucket. ARGV: shopperId, the deadline that was swept, next deadline (0 = none).
// Leaves the entry alone when a new share moved the deadline meanwhile.
const RESCHEDULE = `
local cur = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not cur or tonumber(cur) > tonumber(ARGV[2]) then return 0 end
if tonumber(ARGV[3]) > 0 then redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1]) else redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    geofenceExpireVisits(fix: string, visits: string, exits: string, now: number, ttlMs: number, leaseMs: number, keyTtl: number): Result<[string, number], Context>;
    geofenceAckExits(exits: string, ...args: string[]): Result<number, Context>;
    geofenceReschedule(bucket: string, shopperId: string, swept: number, next: number): Result<number, Context>;
  }
}

/** Per-shopper fence state in Redis: the last accepted fix, the open visits, their deadlines. */
@Injectable()
export class VisitStateRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    defineBatchCommand(redis, 'geofenceReadStates', { lua: READ_STATES });
    defineBatchCommand(redis, 'geofenceRecordFixes', { lua: RECORD_FIXES });
    defineBatchCommand(redis, 'geofenceApplyFixes', { lua: APPLY_FIXES });
    redis.defineCommand('geofenceExpireVisits', { numberOfKeys: 3, lua: EXPIRE_VISITS });
    redis.defineCommand('geofenceAckExits', { numberOfKeys: 1, lua: ACK_EXITS });
    redis.defineCommand('geofenceReschedule', { numberOfKeys: 1, lua: RESCHEDULE });
  }

  /**
   * Several shoppers' states, in the order asked: one batch script per Page and BATCH_CHUNK
   * shoppers (sent at once, not through the auto-pipeline: libs/redis defineBatchCommand). A
   * shopper may be asked for once per call.
   */
  async readMany(shopperIds: string[]): Promise<ShopperState[]> {
    const states: ShopperState[] = new Array(shopperIds.length);
    await Promise.all(
      chunksByPage(shopperIds, (id) => id).map(async (chunk) => {
        const args: string[] = [String(chunk.length * 2)];
        for (const i of chunk) args.push(fixKey(shopperIds[i]), visitsKey(shopperIds[i]));
        const replies = await callCommand<(string | null | string[])[]>(this.redis, 'geofenceReadStates', args);
        chunk.forEach((i, n) => (states[i] = stateOf(replies[n * 2] as string | null, replies[n * 2 + 1] as string[])));
      }),
    );
    return states;
  }

  /** The transitions an earlier event caused, if it caused any (a redelivery after a failed publish). */
  async outcomeOf(shopperId: string, eventId: string): Promise<AppliedTransition[] | null> {
    const raw = await this.redis.get(outcomeKey(shopperId, eventId));
    return raw ? (JSON.parse(raw) as AppliedTransition[]) : null;
  }

  /**
   * Records accepted fixes that change no visit (`FixToRecord`), with plain writes (the script's
   * bookkeeping without its checks), one batch script per Page and BATCH_CHUNK shoppers: the last
   * fix, and the open visits' expiry pushed back. Not atomic with the read before it; only two
   * replicas holding the same shopper during a rebalance could interleave here, which at worst
   * sets the last fix back to an older one (a weaker order and speed check for the next fix).
   * Visits themselves change only in APPLY_FIXES.
   *
   * The open visits' expiry (a backstop, twice the state TTL) is pushed back only when the last
   * push is older than a quarter of the TTL (by sharedAt): most fixes then write one key, not
   * two. The key written at (sharedAt of that push − 60 s of tolerated clock skew) + 2 × TTL still
   * outlives the sweeper's deadline, this fix's sharedAt + TTL, with ≥ 3/4 TTL − 60 s to spare;
   * TTLs under 10 minutes push on every fix.
   */
  async recordMany(fixes: FixToRecord[], stateTtlSeconds: number): Promise<void> {
    if (fixes.length === 0) return;
    await Promise.all(
      chunksByPage(fixes, (f) => f.shopperId).map((chunk) => {
        const keys: string[] = [];
        const argv: string[] = [String(stateTtlSeconds * 2)];
        for (const i of chunk) {
          const { shopperId, eventId, fix, hasOpenVisits, lastVisitsTtlAt } = fixes[i];
          const push = hasOpenVisits && (stateTtlSeconds < 600 || fix.sharedAtMs - lastVisitsTtlAt >= stateTtlSeconds * 250);
          const visitsTtlAt = push ? fix.sharedAtMs : lastVisitsTtlAt;
          keys.push(fixKey(shopperId), visitsKey(shopperId));
          argv.push(JSON.stringify({ eventId, sharedAtMs: fix.sharedAtMs, fix: JSON.stringify(fix), result: '[]', visitsTtlAt }), push ? '1' : '0');
        }
        return callCommand<number>(this.redis, 'geofenceRecordFixes', [String(keys.length), ...keys, ...argv]);
      }),
    );
  }

  /**
   * Applies fixes that may change a visit (APPLY_FIXES: atomic per shopper), one batch script per
   * Page and BATCH_CHUNK shoppers, sent at once; each fix's transitions in the order given, or
   * 'out_of_order'. A shopper may appear once per call.
   */
  async applyMany(fixes: FixToApply[], stateTtlSeconds: number): Promise<(AppliedTransition[] | 'out_of_order')[]> {
    const out: (AppliedTransition[] | 'out_of_order')[] = new Array(fixes.length);
    const entered: { shopperId: string; sharedAtMs: number }[] = [];
    await Promise.all(
      chunksByPage(fixes, (f) => f.shopperId).map(async (chunk) => {
        const keys: string[] = [];
        const argv: (string | number)[] = [stateTtlSeconds * 2, OUTCOME_TTL_SECONDS];
        for (const i of chunk) {
          const { shopperId, brandId, eventId, fix, proposed } = fixes[i];
          keys.push(fixKey(shopperId), visitsKey(shopperId), outcomeKey(shopperId, eventId));
          argv.push(eventId, fix.sharedAtMs, JSON.stringify(fix), JSON.stringify(proposed), brandId);
        }
        const replies = await callCommand<(string | number)[]>(this.redis, 'geofenceApplyFixes', [keys.length, ...keys, ...argv]);
        chunk.forEach((i, n) => {
          const raw = String(replies[2 * n]);
          if (raw === 'OUT_OF_ORDER') {
            out[i] = 'out_of_order';
            return;
          }
          const parsed: unknown = JSON.parse(raw);
          const applied = Array.isArray(parsed) ? (parsed as AppliedTransition[]) : [];
          out[i] = applied;
          // Scheduled when a visit opens. Later shares push the real deadline back without touching
          // the schedule: the sweeper reads the state, finds the visit alive and reschedules it then.
          if (Number(replies[2 * n + 1]) > 0 && applied.some((t) => t.t === 'enter')) entered.push({ shopperId: fixes[i].shopperId, sharedAtMs: fixes[i].fix.sharedAtMs });
        });
      }),
    );
    // The deadline buckets carry their own tags: plain commands, auto-pipelined together.
    await Promise.all(entered.map((e) => this.redis.zadd(bucketKey(bucketOf(e.shopperId)), e.sharedAtMs + stateTtlSeconds * 1000, e.shopperId)));
    return out;
  }

  /** Shoppers of one bucket whose visits were due to expire by `nowMs`. */
  async due(bucket: number, nowMs: number, limit: number): Promise<{ shopperId: string; deadlineMs: number }[]> {
    const flat = await this.redis.zrangebyscore(bucketKey(bucket), '-inf', nowMs, 'WITHSCORES', 'LIMIT', 0, limit);
    const out: { shopperId: string; deadlineMs: number }[] = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ shopperId: flat[i], deadlineMs: Number(flat[i + 1]) });
    return out;
  }

  /** Closes the shopper's expired visits and leases their exits to the caller (see EXPIRE_VISITS). */
  async expire(shopperId: string, nowMs: number, stateTtlSeconds: number, leaseMs: number): Promise<{ exits: ExpiredVisit[]; nextDeadlineMs: number }> {
    const [raw, next] = await this.redis.geofenceExpireVisits(
      fixKey(shopperId), visitsKey(shopperId), exitsKey(shopperId), nowMs, stateTtlSeconds * 1000, leaseMs, stateTtlSeconds * 2,
    );
    const parsed: unknown = JSON.parse(raw);
    return { exits: Array.isArray(parsed) ? (parsed as ExpiredVisit[]) : [], nextDeadlineMs: Number(next) };
  }

  async acknowledgeExits(shopperId: string, exits: ExpiredVisit[]): Promise<void> {
    if (exits.length === 0) return;
    await this.redis.geofenceAckExits(exitsKey(shopperId), ...exits.flatMap((e) => [e.storeId, e.visitId]));
  }

  async reschedule(shopperId: string, sweptDeadlineMs: number, nextDeadlineMs: number): Promise<void> {
    await this.redis.geofenceReschedule(bucketKey(bucketOf(shopperId)), shopperId, sweptDeadlineMs, nextDeadlineMs);
  }

  async erase(shopperId: string): Promise<void> {
    await this.redis.del(fixKey(shopperId), visitsKey(shopperId), exitsKey(shopperId));
    await this.redis.zrem(bucketKey(bucketOf(shopperId)), shopperId);
  }
}

/**
 * A visit as stored. Visits opened before dwell thresholds per offer carry `dwelled` (a boolean)
 * instead of `dwelledSeconds`: they count as not dwelled yet, so they may emit one more dwell; the
 * engine's one-promotion-per-visit reservation keeps that from sending anything twice.
 */
function openVisitOf(raw: string): OpenVisit {
  const v = JSON.parse(raw) as { visitId: string; enteredAtMs: number; dwelledSeconds?: number };
  return { visitId: v.visitId, enteredAtMs: v.enteredAtMs, dwelledSeconds: v.dwelledSeconds ?? 0 };
}

/** An accepted fix that changes no visit, as recordMany writes it. */
export interface FixToRecord {
  shopperId: string;
  eventId: string;
  fix: Fix & { source: string };
  hasOpenVisits: boolean;
  /** ShopperState.last.visitsTtlAt as read (0 when none). */
  lastVisitsTtlAt: number;
}

/** A fix whose proposal may change a visit, as applyMany applies it. */
export interface FixToApply {
  shopperId: string;
  brandId: string;
  eventId: string;
  fix: Fix & { source: string };
  proposed: ProposedTransitions & { enter: { visitId: string }[] };
}

/** The state as READ_STATES answers it for one shopper. */
function stateOf(raw: string | null, all: string[]): ShopperState {
  const parsed = raw ? (JSON.parse(raw) as { eventId: string; fix: string; visitsTtlAt?: number }) : null;
  // Through an object, as ioredis's HGETALL gave it: the visits keep that order (integer-like ids first).
  const visits: Record<string, string> = {};
  for (let i = 0; i + 1 < all.length; i += 2) visits[all[i]] = all[i + 1];
  return {
    last: parsed ? { eventId: parsed.eventId, fix: JSON.parse(parsed.fix) as Fix, visitsTtlAt: parsed.visitsTtlAt ?? 0 } : null,
    open: new Map(Object.entries(visits).map(([storeId, v]) => [storeId, openVisitOf(v)])),
  };
}

/** The items' indexes grouped by their shopper's Page, in chunks of at most BATCH_CHUNK. */
function chunksByPage<T>(items: T[], shopperOf: (item: T) => string): number[][] {
  const byPage = new Map<string, number[]>();
  const chunks: number[][] = [];
  items.forEach((item, i) => {
    const page = pageOf(shopperOf(item));
    let open = byPage.get(page);
    if (!open || open.length === BATCH_CHUNK) {
      open = [];
      byPage.set(page, open);
      chunks.push(open);
    }
    open.push(i);
  });
  return chunks;
}
