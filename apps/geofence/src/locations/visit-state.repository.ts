import { REDIS, Redis } from '@app/redis';
import type { Result } from 'ioredis';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Fix } from './location-quality';
import type { OpenVisit, ProposedTransitions } from './visit-rules';

/*
 * Per shopper (hash tag {sh:<shopperId>}, so one script touches one slot):
 *   fix:{sh:…}            the last accepted fix, the id of its event and that event's outcome
 *   visits:{sh:…}         hash storeId → open visit {visitId, enteredAtMs, dwelledSeconds, brandId}
 *   outcome:{sh:…}:<id>   an event's transitions, kept an hour so a redelivered event that is no
 *                         longer the last one still re-publishes what it caused
 *   exits:{sh:…}          visits closed for lack of shares whose exit is being published (leased)
 * Shared, sharded in 16 buckets by shopper:
 *   visits:deadlines:{vd:<n>}   sorted set shopperId → when their open visits expire (ms)
 * Every key expires; state keys live twice the state TTL so the sweeper, not Redis, ends visits.
 */
const fixKey = (shopperId: string) => `fix:{sh:${shopperId}}`;
const visitsKey = (shopperId: string) => `visits:{sh:${shopperId}}`;
const outcomeKey = (shopperId: string, eventId: string) => `outcome:{sh:${shopperId}}:${eventId}`;
const exitsKey = (shopperId: string) => `exits:{sh:${shopperId}}`;
export const DEADLINE_BUCKETS = 16;
const bucketKey = (n: number) => `visits:deadlines:{vd:${n}}`;
const bucketOf = (shopperId: string) => createHash('sha1').update(shopperId).digest().readUInt16BE(0) % DEADLINE_BUCKETS;
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

// KEYS: fix, visits. The last accepted fix (or nil) and the open visits (flat field, value list),
// read together: one command for the evaluation instead of a GET and an HGETALL.
const READ_STATE = `
return { redis.call('GET', KEYS[1]) or false, redis.call('HGETALL', KEYS[2]) }`;

/*
 * One atomic step per location event and shopper. KEYS: fix, visits, outcome.
 * ARGV: eventId, sharedAtMs, fix JSON, key TTL (s), proposal JSON, brandId, outcome TTL (s).
 * A redelivered event gets its first outcome back; a fix not newer than the last accepted one is
 * refused; an enter opens a visit only where none is open, a dwell fires only while the threshold
 * it crossed is above how far the visit's dwell was emitted (`dwelledSeconds`, then moved up to the
 * dwell's time inside: once per threshold per visit), an exit closes only the visit it was proposed for. Returns {outcome JSON, open visits left}.
 */
const APPLY_FIX = `
local done = redis.call('GET', KEYS[3])
if done then return { done, redis.call('HLEN', KEYS[2]) } end
local last = redis.call('GET', KEYS[1])
if last then
  local l = cjson.decode(last)
  if l.eventId == ARGV[1] then return { l.result, redis.call('HLEN', KEYS[2]) } end
  if tonumber(l.sharedAtMs) >= tonumber(ARGV[2]) then return { 'OUT_OF_ORDER', 0 } end
end
local p = cjson.decode(ARGV[5])
local at = tonumber(ARGV[2])
local result = {}
for _, e in ipairs(p.enter) do
  if redis.call('HEXISTS', KEYS[2], e.storeId) == 0 then
    redis.call('HSET', KEYS[2], e.storeId, cjson.encode({ visitId = e.visitId, enteredAtMs = at, dwelledSeconds = 0, brandId = ARGV[6] }))
    table.insert(result, { t = 'enter', storeId = e.storeId, visitId = e.visitId, distanceM = e.distanceM })
  end
end
for _, d in ipairs(p.dwell) do
  local raw = redis.call('HGET', KEYS[2], d.storeId)
  if raw then
    local v = cjson.decode(raw)
    if v.visitId == d.visitId and tonumber(v.dwelledSeconds or 0) < d.thresholdS and d.dwellSeconds >= d.thresholdS then
      v.dwelledSeconds = d.dwellSeconds
      v.dwelled = nil
      redis.call('HSET', KEYS[2], d.storeId, cjson.encode(v))
      table.insert(result, { t = 'dwell', storeId = d.storeId, visitId = d.visitId, distanceM = d.distanceM, dwellSeconds = d.dwellSeconds })
    end
  end
end
for _, x in ipairs(p.exit) do
  local raw = redis.call('HGET', KEYS[2], x.storeId)
  if raw and cjson.decode(raw).visitId == x.visitId then
    redis.call('HDEL', KEYS[2], x.storeId)
    table.insert(result, { t = 'exit', storeId = x.storeId, visitId = x.visitId, distanceM = x.distanceM })
  end
end
local encoded = '[]'
if #result > 0 then
  encoded = cjson.encode(result)
  redis.call('SET', KEYS[3], encoded, 'EX', ARGV[7])
end
redis.call('SET', KEYS[1], cjson.encode({ eventId = ARGV[1], sharedAtMs = at, fix = ARGV[3], result = encoded, visitsTtlAt = at }), 'EX', ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return { encoded, redis.call('HLEN', KEYS[2]) }`;

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
    geofenceReadState(fix: string, visits: string): Result<[string | null, string[]], Context>;
    geofenceApplyFix(
      fix: string, visits: string, outcome: string,
      eventId: string, sharedAtMs: number, fixJson: string, ttl: number, proposal: string, brandId: string, outcomeTtl: number,
    ): Result<[string, number], Context>;
    geofenceExpireVisits(fix: string, visits: string, exits: string, now: number, ttlMs: number, leaseMs: number, keyTtl: number): Result<[string, number], Context>;
    geofenceAckExits(exits: string, ...args: string[]): Result<number, Context>;
    geofenceReschedule(bucket: string, shopperId: string, swept: number, next: number): Result<number, Context>;
  }
}

/** Per-shopper fence state in Redis: the last accepted fix, the open visits, their deadlines. */
@Injectable()
export class VisitStateRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    redis.defineCommand('geofenceReadState', { numberOfKeys: 2, lua: READ_STATE });
    redis.defineCommand('geofenceApplyFix', { numberOfKeys: 3, lua: APPLY_FIX });
    redis.defineCommand('geofenceExpireVisits', { numberOfKeys: 3, lua: EXPIRE_VISITS });
    redis.defineCommand('geofenceAckExits', { numberOfKeys: 1, lua: ACK_EXITS });
    redis.defineCommand('geofenceReschedule', { numberOfKeys: 1, lua: RESCHEDULE });
  }

  async read(shopperId: string): Promise<ShopperState> {
    const [raw, all] = await this.redis.geofenceReadState(fixKey(shopperId), visitsKey(shopperId));
    const parsed = raw ? (JSON.parse(raw) as { eventId: string; fix: string; visitsTtlAt?: number }) : null;
    // Through an object, as ioredis's HGETALL gave it: the visits keep that order (integer-like ids first).
    const visits: Record<string, string> = {};
    for (let i = 0; i + 1 < all.length; i += 2) visits[all[i]] = all[i + 1];
    return {
      last: parsed ? { eventId: parsed.eventId, fix: JSON.parse(parsed.fix) as Fix, visitsTtlAt: parsed.visitsTtlAt ?? 0 } : null,
      open: new Map(Object.entries(visits).map(([storeId, v]) => [storeId, openVisitOf(v)])),
    };
  }

  /** The transitions an earlier event caused, if it caused any (a redelivery after a failed publish). */
  async outcomeOf(shopperId: string, eventId: string): Promise<AppliedTransition[] | null> {
    const raw = await this.redis.get(outcomeKey(shopperId, eventId));
    return raw ? (JSON.parse(raw) as AppliedTransition[]) : null;
  }

  /**
   * Records an accepted fix that changes no visit, with plain writes (the script's bookkeeping
   * without the script): the last fix, and the open visits' expiry pushed back. Not atomic with
   * the read before it; only two replicas holding the same shopper during a rebalance could
   * interleave here, which at worst sets the last fix back to an older one (a weaker order and
   * speed check for the next fix). Visits themselves change only in APPLY_FIX.
   *
   * The open visits' expiry (a backstop, twice the state TTL) is pushed back only when the last
   * push is older than a quarter of the TTL (by sharedAt): most fixes then cost one command, not
   * two. The key written at (sharedAt of that push − 60 s of tolerated clock skew) + 2 × TTL still
   * outlives the sweeper's deadline, this fix's sharedAt + TTL, with ≥ 3/4 TTL − 60 s to spare;
   * TTLs under 10 minutes push on every fix.
   */
  async record(
    shopperId: string,
    eventId: string,
    fix: Fix & { source: string },
    hasOpenVisits: boolean,
    stateTtlSeconds: number,
    lastVisitsTtlAt: number,
  ): Promise<void> {
    const push = hasOpenVisits && (stateTtlSeconds < 600 || fix.sharedAtMs - lastVisitsTtlAt >= stateTtlSeconds * 250);
    const visitsTtlAt = push ? fix.sharedAtMs : lastVisitsTtlAt;
    const last = JSON.stringify({ eventId, sharedAtMs: fix.sharedAtMs, fix: JSON.stringify(fix), result: '[]', visitsTtlAt });
    if (!push) {
      await this.redis.set(fixKey(shopperId), last, 'EX', stateTtlSeconds * 2);
      return;
    }
    await Promise.all([this.redis.set(fixKey(shopperId), last, 'EX', stateTtlSeconds * 2), this.redis.expire(visitsKey(shopperId), stateTtlSeconds * 2)]);
  }

  async apply(
    shopperId: string,
    brandId: string,
    eventId: string,
    fix: Fix & { source: string },
    proposed: ProposedTransitions & { enter: { visitId: string }[] },
    stateTtlSeconds: number,
  ): Promise<AppliedTransition[] | 'out_of_order'> {
    const [out, openLeft] = await this.redis.geofenceApplyFix(
      fixKey(shopperId), visitsKey(shopperId), outcomeKey(shopperId, eventId),
      eventId, fix.sharedAtMs, JSON.stringify(fix), stateTtlSeconds * 2, JSON.stringify(proposed), brandId, OUTCOME_TTL_SECONDS,
    );
    if (out === 'OUT_OF_ORDER') return 'out_of_order';
    const parsed: unknown = JSON.parse(out);
    const applied = Array.isArray(parsed) ? (parsed as AppliedTransition[]) : [];
    // Scheduled when a visit opens. Later shares push the real deadline back without touching the
    // schedule: the sweeper reads the state, finds the visit alive and reschedules it then.
    if (Number(openLeft) > 0 && applied.some((t) => t.t === 'enter')) {
      await this.redis.zadd(bucketKey(bucketOf(shopperId)), fix.sharedAtMs + stateTtlSeconds * 1000, shopperId);
    }
    return applied;
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
