import { REDIS, Redis, callCommand, defineBatchCommand } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { ReservationSkip } from './eligibility';

/**
 * Caps, cooldowns, budgets and the one-promotion-per-visit and per-share rules: checked and reserved in ONE Lua
 * script, so two engine replicas deciding at once can never both spend the last unit. Every key
 * carries the brand's hash tag ({b:<brandId>}) so the script touches a single Redis Cluster slot.
 *
 * - `pe:caps:{b:B}:<shopperId>` (hash, TTL CAPS_TTL_SECONDS refreshed on each reservation):
 *     t:<offerId>  promotions of the offer ever reserved for the shopper (perShopperTotal)
 *     d:<offerId>  "<yyyy-mm-dd>|<n>": reserved on the shopper's calendar day (perShopperPerDay)
 *     last         ms of the brand's last promotion to the shopper (cooldown)
 *     visits       "<visitId>=<triggerId>=<offerId>;…", the last 8 visits that got a promotion
 * Ids must not contain ',', ';', '=' or '|' (the separators); the engine's ids are UUIDs.
 *     r:<requestId> what a reservation took, until delivery confirms or releases it
 * - `pe:budget:{b:B}` (hash): offerId → reserved sends (maxSends).
 */
export const capsKey = (brandId: string, shopperId: string) => `pe:caps:{b:${brandId}}:${shopperId}`;
export const budgetKey = (brandId: string) => `pe:budget:{b:${brandId}}`;
export const CAPS_TTL_SECONDS = 400 * 24 * 3600;

/**
 * Reserves for many decisions of ONE brand in one call (one Redis round trip, one script run for a
 * whole Kafka batch of the brand): each decision on its own walks its ranked candidates and takes
 * the first its counters allow. The script runs atomically, so the budget check and spend of every
 * decision in it happen with no other client in between: two engines never spend the last unit.
 * Decisions are handled in argument order, so a shopper's decisions keep their order.
 * KEYS[1]: the brand's budget hash; KEYS[1 + i]: decision i's caps hash.
 * ARGV[1]: now (ms), ARGV[2]: caps TTL (s); then four per decision: day, visitId, triggerId, and
 * the ranked candidates packed as "offer,request,perDay,total,maxSends,cooldownMs,spend;…".
 * Replies, one per decision: {'replay', offer} | {'visit', offer} | {'share', offer} | {'done', reserved or '', refused offer, reason, …}.
 */
export const RESERVE_SCRIPT = `
local budget = KEYS[1]
local nowRaw, ttl = ARGV[1], tonumber(ARGV[2])
local now = tonumber(nowRaw)
local function decide(caps, day, visit, trig, packed)
  -- One read for the visit and cooldown fields and the first candidate's counts (the best-ranked
  -- offer usually passes, so most decisions read the hash once).
  local first = string.match(packed, '^[^,;]+')
  local h = first and redis.call('HMGET', caps, 'visits', 'last', 'd:' .. first, 't:' .. first) or redis.call('HMGET', caps, 'visits', 'last')
  local visits = h[1] or ''
  local at = string.find(';' .. visits, ';' .. visit .. '=', 1, true)
  if at then
    local entry = string.sub(visits, at + #visit + 1)
    local stop = string.find(entry, ';', 1, true)
    if stop then entry = string.sub(entry, 1, stop - 1) end
    local s2 = string.find(entry, '=', 1, true)
    if string.sub(entry, 1, s2 - 1) == trig then return {'replay', string.sub(entry, s2 + 1)} end
    return {'visit', string.sub(entry, s2 + 1)}
  end
  -- One fix inside several of the brand's overlapping fences starts several visits at once: the
  -- first decided (the geofence emits the nearest store first) takes the share's one promotion.
  local shared = string.find(visits, '=' .. trig .. '=', 1, true)
  if shared then
    local entry = string.sub(visits, shared + #trig + 2)
    local stop = string.find(entry, ';', 1, true)
    if stop then entry = string.sub(entry, 1, stop - 1) end
    return {'share', entry}
  end
  local lastRaw = h[2] or '0'
  local last = tonumber(lastRaw)
  local out = {'done', ''}
  local tried = 0
  for c in string.gmatch(packed, '[^;]+') do
    tried = tried + 1
    local f = {}
    for part in string.gmatch(c, '[^,]+') do f[#f + 1] = part end
    local offer, req, spend = f[1], f[2], f[7]
    local perDay, total, maxSends, cooldown = tonumber(f[3]), tonumber(f[4]), tonumber(f[5]), tonumber(f[6])
    local dayCount = 0
    local counts = tried == 1 and {h[3], h[4]} or redis.call('HMGET', caps, 'd:' .. offer, 't:' .. offer)
    local d = counts[1]
    if d then
      local s = string.find(d, '|', 1, true)
      if string.sub(d, 1, s - 1) == day then dayCount = tonumber(string.sub(d, s + 1)) end
    end
    local reason = nil
    -- A unit of a capped budget is taken by the check itself (one command, not a read then a
    -- write) and given back at once if it was the one too many: nothing runs in between.
    local spent = false
    if cooldown > 0 and last > 0 and now - last < cooldown then reason = 'cooldown'
    elseif total > 0 and tonumber(counts[2] or '0') >= total then reason = 'cap_total'
    elseif perDay > 0 and dayCount >= perDay then reason = 'cap_per_day'
    elseif maxSends > 0 then
      if spend ~= '1' then
        if tonumber(redis.call('HGET', budget, offer) or '0') >= maxSends then reason = 'budget_exhausted' end
      elseif redis.call('HINCRBY', budget, offer, 1) > maxSends then
        redis.call('HINCRBY', budget, offer, -1)
        reason = 'budget_exhausted'
      else
        spent = true
      end
    end
    if reason then
      out[#out + 1] = offer
      out[#out + 1] = reason
    else
      -- Append this visit; keep the last 8 (drop the oldest entries from the front).
      visits = (visits == '' and '' or visits .. ';') .. visit .. '=' .. trig .. '=' .. offer
      local _, n = string.gsub(visits, ';', ';')
      while n >= 8 do
        visits = string.sub(visits, string.find(visits, ';', 1, true) + 1)
        n = n - 1
      end
      redis.call('HSET', caps, 't:' .. offer, tostring(tonumber(counts[2] or '0') + 1), 'd:' .. offer, day .. '|' .. tostring(dayCount + 1),
        'last', nowRaw, 'visits', visits, 'r:' .. req, offer .. '|' .. day .. '|' .. lastRaw .. '|' .. nowRaw .. '|' .. spend)
      if spend == '1' and not spent then redis.call('HINCRBY', budget, offer, 1) end
      redis.call('EXPIRE', caps, ttl)
      out[2] = offer
      return out
    end
  end
  return out
end
local replies = {}
for i = 2, #KEYS do
  local a = 3 + (i - 2) * 4
  replies[#replies + 1] = decide(KEYS[i], ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3])
end
return replies`;

// The r:<requestId> record is "offer|day|previousLast|reservedAt|spent". ARGV[2]: release|confirm.
const SETTLE = `
local caps, budget = KEYS[1], KEYS[2]
local r = redis.call('HGET', caps, 'r:' .. ARGV[1])
if not r then return 0 end
redis.call('HDEL', caps, 'r:' .. ARGV[1])
if ARGV[2] ~= 'release' then return 1 end
local f = {}
for part in string.gmatch(r, '[^|]+') do f[#f + 1] = part end
local offer, day, prev, at, spent = f[1], f[2], f[3], f[4], f[5]
if tonumber(redis.call('HGET', caps, 't:' .. offer) or '0') > 0 then redis.call('HINCRBY', caps, 't:' .. offer, -1) end
local d = redis.call('HGET', caps, 'd:' .. offer)
if d then
  local s = string.find(d, '|', 1, true)
  local count = tonumber(string.sub(d, s + 1))
  if string.sub(d, 1, s - 1) == day and count > 0 then redis.call('HSET', caps, 'd:' .. offer, day .. '|' .. tostring(count - 1)) end
end
if redis.call('HGET', caps, 'last') == at then
  if prev == '0' then redis.call('HDEL', caps, 'last') else redis.call('HSET', caps, 'last', prev) end
end
if spent == '1' and tonumber(redis.call('HGET', budget, offer) or '0') > 0 then redis.call('HINCRBY', budget, offer, -1) end
return 1`;

/** Decisions per script call: bounds how long one call holds Redis (a few ms at most). */
const RESERVE_CHUNK = 128;

// One packed argument rather than seven per candidate: far less work per call for the client.
// Joined, not appended: a flat string (one built with += is a rope that ioredis flattens again).
function packCandidates(candidates: ReservationCandidate[]): string {
  const packed: string[] = new Array(candidates.length);
  for (let i = 0; i < candidates.length; i += 1) {
    const c = candidates[i];
    packed[i] = [c.offerId, c.requestId, c.perShopperPerDay ?? 0, c.perShopperTotal ?? 0, c.maxSends ?? 0, (c.cooldownMinutes ?? 0) * 60_000, c.spendsBudget ? 1 : 0].join(',');
  }
  return packed.join(';');
}

function outcomeOf(reply: string[]): ReservationOutcome {
  if (reply[0] === 'replay') return { kind: 'replay', offerId: reply[1] };
  if (reply[0] === 'visit') return { kind: 'visit_taken', offerId: reply[1] };
  if (reply[0] === 'share') return { kind: 'share_taken', offerId: reply[1] };
  const refused: { offerId: string; reason: ReservationSkip }[] = [];
  for (let i = 2; i < reply.length; i += 2) refused.push({ offerId: reply[i], reason: reply[i + 1] as ReservationSkip });
  return { kind: 'decided', reservedOfferId: reply[1] || null, refused };
}

export interface ReservationCandidate {
  offerId: string;
  requestId: string;
  perShopperPerDay?: number;
  perShopperTotal?: number;
  maxSends?: number;
  cooldownMinutes?: number | null;
  /** False for the A/B control group: its counters move (so it lives like the treated group) but no send budget is spent. */
  spendsBudget: boolean;
}

export interface ReservationRequest {
  brandId: string;
  shopperId: string;
  visitId: string;
  /** What triggered this decision (the transition's location event id): tells a replay from a second transition. */
  triggerId: string;
  day: string;
  nowMs: number;
  /** Ranked best first; the first that passes every counter is reserved. */
  candidates: ReservationCandidate[];
}

export type ReservationOutcome =
  | { kind: 'decided'; reservedOfferId: string | null; refused: { offerId: string; reason: ReservationSkip }[] }
  /** This very trigger already reserved `offerId` (a redelivery after a crash). */
  | { kind: 'replay'; offerId: string }
  /** Another transition of the visit already got a promotion. */
  | { kind: 'visit_taken'; offerId: string }
  /** The same location share already got a promotion at another of the brand's stores (overlapping fences). */
  | { kind: 'share_taken'; offerId: string };

@Injectable()
export class CapsRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    // No numberOfKeys: the first argument says how many (one caps hash per decision).
    defineBatchCommand(this.redis, 'peReserve', { lua: RESERVE_SCRIPT });
    this.redis.defineCommand('peSettle', { numberOfKeys: 2, lua: SETTLE });
  }

  async reserve(r: ReservationRequest): Promise<ReservationOutcome> {
    return (await this.reserveMany(r.brandId, [r]))[0];
  }

  /**
   * Reserves for many decisions of one brand, in order, in one script call per RESERVE_CHUNK
   * decisions. A shopper must appear at most once per call when the order of their decisions
   * matters across calls (the caller decides a shopper's decisions one after another).
   */
  async reserveMany(brandId: string, requests: ReservationRequest[]): Promise<ReservationOutcome[]> {
    const outcomes: ReservationOutcome[] = [];
    for (let from = 0; from < requests.length; from += RESERVE_CHUNK) {
      const chunk = requests.slice(from, from + RESERVE_CHUNK);
      const keys: string[] = [budgetKey(brandId)];
      const args: (string | number)[] = [chunk[0].nowMs, CAPS_TTL_SECONDS];
      for (const r of chunk) {
        if (r.brandId !== brandId || r.nowMs !== chunk[0].nowMs) throw new Error('reserveMany: one brand and one instant per call');
        keys.push(capsKey(brandId, r.shopperId));
        args.push(r.day, r.visitId, r.triggerId, packCandidates(r.candidates));
      }
      const replies = await callCommand<string[][]>(this.redis, 'peReserve', [keys.length, ...keys, ...args]);
      for (const reply of replies) outcomes.push(outcomeOf(reply));
    }
    return outcomes;
  }

  /** Gives back what a reservation took (a promotion that was never delivered). Idempotent. */
  async release(brandId: string, shopperId: string, requestId: string): Promise<boolean> {
    return (await callCommand<number>(this.redis, 'peSettle', [capsKey(brandId, shopperId), budgetKey(brandId), requestId, 'release'])) === 1;
  }

  /** The promotion was delivered: the reservation is final. Idempotent. */
  async confirm(brandId: string, shopperId: string, requestId: string): Promise<boolean> {
    return (await callCommand<number>(this.redis, 'peSettle', [capsKey(brandId, shopperId), budgetKey(brandId), requestId, 'confirm'])) === 1;
  }

  async spent(brandId: string, offerId: string): Promise<number> {
    return Number((await this.redis.hget(budgetKey(brandId), offerId)) ?? 0);
  }

  async erase(brandId: string, shopperId: string): Promise<void> {
    await this.redis.del(capsKey(brandId, shopperId));
  }
}
