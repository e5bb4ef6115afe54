import { DECISION_LOG_TTL_SECONDS, DecisionLogEntry, decisionLogKey, packConsidered, readDecisionLogEntry } from '@app/contracts';
import { REDIS, Redis, callCommand, defineBatchCommand } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

/**
 * `pe:decided:{b:<brandId>}:<shopperId>:<visitId>:<triggerId>`: the decision that trigger got,
 * without its explanation (for replays). It shares the brand's hash tag with the decision log, so
 * one script claims the triggers of a batch of the brand's decisions and appends to their logs.
 */
const triggerKey = (brandId: string, shopperId: string, visitId: string, triggerId: string) => `pe:decided:{b:${brandId}}:${shopperId}:${visitId}:${triggerId}`;
const TRIGGER_TTL_SECONDS = 7 * 24 * 3600;
const LOG_LENGTH = 50;
/** Decisions per claim call: bounds how long one call holds Redis (about a millisecond). */
const CLAIM_CHUNK = 128;

// KEYS: per decision, the trigger's record and the shopper's log. ARGV: per decision, the decision
// as JSON without its explanation, and the explanation (`considered`, packed: libs/contracts
// packConsidered). The log's length and both TTLs are constants of the script (fewer arguments to
// send per decision). The record and the log entry share everything but the explanation, so it is
// sent once and the script appends `considered` to each (the record's is empty). A trigger's first
// decision wins (SET NX GET, Redis 7): a later one gets it back and logs nothing; '' answers a
// first decision. The log is newest first, capped (trimmed only once it grows past the cap),
// expiring. Each decision is claimed on its own; the call is one round trip for the batch.
const CLAIM_MANY = `
local out = {}
for i = 1, #KEYS, 2 do
  local head = string.sub(ARGV[i], 1, -2)
  local prior = redis.call('SET', KEYS[i], head .. ',"considered":[]}', 'NX', 'GET', 'EX', ${TRIGGER_TTL_SECONDS})
  if prior then
    out[#out + 1] = prior
  else
    if redis.call('LPUSH', KEYS[i + 1], head .. ',"considered":' .. ARGV[i + 1] .. '}') > ${LOG_LENGTH} then redis.call('LTRIM', KEYS[i + 1], 0, ${LOG_LENGTH - 1}) end
    redis.call('EXPIRE', KEYS[i + 1], ${DECISION_LOG_TTL_SECONDS})
    out[#out + 1] = ''
  end
end
return out`;

export interface Claim {
  shopperId: string;
  triggerId: string;
  entry: DecisionLogEntry;
}

/** The trigger's decision: the one proposed when it was the first (`first`), else the one it got before. */
export interface Claimed {
  entry: DecisionLogEntry;
  first: boolean;
}

/**
 * One decision per trigger (a transition's location event), claimed atomically: the same
 * transition redelivered gets the first decision back instead of a new one. Every first decision
 * is appended to the shopper's decision log (newest first, 50 entries, 30 days), which brand-api
 * serves on GET /v1/decisions. One script call per CLAIM_CHUNK decisions of a brand.
 */
@Injectable()
export class DecisionLogRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    defineBatchCommand(this.redis, 'peClaimDecisions', { lua: CLAIM_MANY });
  }

  async find(brandId: string, shopperId: string, visitId: string, triggerId: string): Promise<DecisionLogEntry | null> {
    const raw = await this.redis.get(triggerKey(brandId, shopperId, visitId, triggerId));
    return raw ? (readDecisionLogEntry(raw) as DecisionLogEntry) : null;
  }

  /** The decision without its explanation (a JSON object): all a replay needs, its verdict and request. */
  private static head(entry: DecisionLogEntry): string {
    const { visitId, decidedAt, reason, request, outcome, offerId, arm, storeId, transition, brandId, triggerId } = entry;
    return JSON.stringify({ visitId, decidedAt, reason, request, outcome, offerId, arm, storeId, transition, brandId, triggerId });
  }

  /** Stores the decision if the trigger has none; returns the trigger's decision either way. */
  async claim(brandId: string, shopperId: string, triggerId: string, entry: DecisionLogEntry): Promise<Claimed> {
    return (await this.claimMany(brandId, [{ shopperId, triggerId, entry }]))[0];
  }

  /** claim for many decisions of one brand, in order: one script call per CLAIM_CHUNK of them. */
  async claimMany(brandId: string, claims: Claim[]): Promise<Claimed[]> {
    const calls: Promise<string[]>[] = [];
    for (let from = 0; from < claims.length; from += CLAIM_CHUNK) {
      const to = Math.min(from + CLAIM_CHUNK, claims.length);
      const args: string[] = new Array(1 + 4 * (to - from));
      args[0] = String(2 * (to - from));
      // Keys first, then the arguments, pair by pair in the same order.
      for (let i = from, k = 1, a = 1 + 2 * (to - from); i < to; i += 1, k += 2, a += 2) {
        const { shopperId, triggerId, entry } = claims[i];
        args[k] = triggerKey(brandId, shopperId, entry.visitId, triggerId);
        args[k + 1] = decisionLogKey(brandId, shopperId);
        args[a] = DecisionLogRepository.head(entry);
        args[a + 1] = packConsidered(entry.considered);
      }
      calls.push(callCommand<string[]>(this.redis, 'peClaimDecisions', args));
    }
    const claimed: Claimed[] = new Array(claims.length);
    let i = 0;
    for (const priors of await Promise.all(calls)) {
      for (const prior of priors) {
        claimed[i] = prior === '' ? { entry: claims[i].entry, first: true } : { entry: readDecisionLogEntry(prior) as DecisionLogEntry, first: false };
        i += 1;
      }
    }
    return claimed;
  }

  async recent(brandId: string, shopperId: string): Promise<DecisionLogEntry[]> {
    return (await this.redis.lrange(decisionLogKey(brandId, shopperId), 0, LOG_LENGTH - 1)).map((d) => readDecisionLogEntry(d) as DecisionLogEntry);
  }

  /** Forgets the shopper's decisions: the log and the per-trigger records it points to. */
  async erase(brandId: string, shopperId: string): Promise<void> {
    const triggers = (await this.recent(brandId, shopperId))
      .filter((e) => e.triggerId)
      .map((e) => triggerKey(brandId, shopperId, e.visitId, e.triggerId as string));
    await Promise.all(triggers.map((key) => this.redis.del(key)));
    await this.redis.del(decisionLogKey(brandId, shopperId));
  }
}
