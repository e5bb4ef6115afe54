import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { Fix } from './location-quality';

const fixKey = (shopperId: string) => `fix:{sh:${shopperId}}`;
const visitsKey = (shopperId: string) => `visits:{sh:${shopperId}}`;

export interface ProposedTransitions {
  enter: { storeId: string; visitId: string; distanceM: number }[];
  exit: { storeId: string; distanceM: number }[];
}

export interface AppliedTransition {
  t: 'enter' | 'exit';
  storeId: string;
  visitId: string;
  distanceM: number;
}

/*
 * One atomic step per location event and shopper: refuse a fix older than the last accepted one,
 * open a visit only where none is open, close only an open one, and remember the outcome under
 * the event's id. Processing the same event again (a redelivery after a crash) returns the same
 * outcome instead of nothing, so transitions are re-published, never lost, never invented twice.
 */
const APPLY_FIX = `
local last = redis.call('GET', KEYS[1])
if last then
  local l = cjson.decode(last)
  if l.eventId == ARGV[1] then return l.result end
  if tonumber(l.sharedAtMs) >= tonumber(ARGV[2]) then return 'OUT_OF_ORDER' end
end
local p = cjson.decode(ARGV[5])
local result = {}
for _, e in ipairs(p.enter) do
  if redis.call('HEXISTS', KEYS[2], e.storeId) == 0 then
    redis.call('HSET', KEYS[2], e.storeId, cjson.encode({ visitId = e.visitId, enteredAtMs = tonumber(ARGV[2]) }))
    table.insert(result, { t = 'enter', storeId = e.storeId, visitId = e.visitId, distanceM = e.distanceM })
  end
end
for _, x in ipairs(p.exit) do
  local current = redis.call('HGET', KEYS[2], x.storeId)
  if current then
    redis.call('HDEL', KEYS[2], x.storeId)
    table.insert(result, { t = 'exit', storeId = x.storeId, visitId = cjson.decode(current).visitId, distanceM = x.distanceM })
  end
end
local encoded = '[]'
if #result > 0 then encoded = cjson.encode(result) end
redis.call('SET', KEYS[1], cjson.encode({ eventId = ARGV[1], sharedAtMs = tonumber(ARGV[2]), fix = ARGV[3], result = encoded }), 'EX', ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return encoded`;

/** Per-shopper fence state in Redis: the last accepted fix and the open visits. Both expire. */
@Injectable()
export class VisitStateRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async lastFix(shopperId: string): Promise<{ eventId: string; fix: Fix } | null> {
    const raw = await this.redis.get(fixKey(shopperId));
    if (!raw) return null;
    const last = JSON.parse(raw) as { eventId: string; fix: string };
    return { eventId: last.eventId, fix: JSON.parse(last.fix) as Fix };
  }

  /** storeId → visitId of the visits open now. */
  async openVisits(shopperId: string): Promise<Map<string, string>> {
    const all = await this.redis.hgetall(visitsKey(shopperId));
    return new Map(Object.entries(all).map(([storeId, v]) => [storeId, (JSON.parse(v) as { visitId: string }).visitId]));
  }

  async apply(
    shopperId: string,
    eventId: string,
    fix: Fix,
    proposed: ProposedTransitions,
    ttlSeconds: number,
  ): Promise<AppliedTransition[] | 'out_of_order'> {
    const out = (await this.redis.eval(
      APPLY_FIX, 2, fixKey(shopperId), visitsKey(shopperId), eventId, fix.sharedAtMs, JSON.stringify(fix), ttlSeconds, JSON.stringify(proposed),
    )) as string;
    if (out === 'OUT_OF_ORDER') return 'out_of_order';
    const parsed: unknown = JSON.parse(out);
    return Array.isArray(parsed) ? (parsed as AppliedTransition[]) : [];
  }

  async erase(shopperId: string): Promise<void> {
    await this.redis.del(fixKey(shopperId), visitsKey(shopperId));
  }
}
