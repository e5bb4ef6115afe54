import { DECISION_LOG_TTL_SECONDS, DecisionLogEntry, decisionLogKey, packConsidered, readDecisionLogEntry } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

/**
 * `pe:decided:{sh:<shopperId>}:<visitId>:<triggerId>`: the decision that trigger got, without its
 * explanation (for replays). It shares the shopper's hash tag with the decision log, so one script
 * claims the trigger and appends to the log.
 */
const triggerKey = (shopperId: string, visitId: string, triggerId: string) => `pe:decided:{sh:${shopperId}}:${visitId}:${triggerId}`;
const TRIGGER_TTL_SECONDS = 7 * 24 * 3600;
const LOG_LENGTH = 50;

// KEYS: the trigger's record, the shopper's log. ARGV: the decision as JSON without its
// explanation, the explanation (`considered`, packed: libs/contracts packConsidered). The log's
// length and both TTLs are constants of the script (fewer arguments to send per decision).
// The record and the log entry share everything but the explanation, so it is sent once and the
// script appends `considered` to each (the record's is empty). The trigger's first decision wins
// (SET NX GET, Redis 7): a later one gets it back and logs nothing. The log is newest first,
// capped (trimmed only once it grows past the cap), expiring.
const CLAIM = `
local head = string.sub(ARGV[1], 1, -2)
local prior = redis.call('SET', KEYS[1], head .. ',"considered":[]}', 'NX', 'GET', 'EX', ${TRIGGER_TTL_SECONDS})
if prior then return prior end
if redis.call('LPUSH', KEYS[2], head .. ',"considered":' .. ARGV[2] .. '}') > ${LOG_LENGTH} then redis.call('LTRIM', KEYS[2], 0, ${LOG_LENGTH - 1}) end
redis.call('EXPIRE', KEYS[2], ${DECISION_LOG_TTL_SECONDS})
return false`;

/**
 * One decision per trigger (a transition's location event), claimed atomically: the same
 * transition redelivered gets the first decision back instead of a new one. Every first decision
 * is appended to the shopper's decision log (newest first, 50 entries, 30 days), which brand-api
 * serves on GET /v1/decisions. One script call per decision; a batch's calls leave in one write.
 */
@Injectable()
export class DecisionLogRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    this.redis.defineCommand('peClaimDecision', { numberOfKeys: 2, lua: CLAIM });
  }

  async find(shopperId: string, visitId: string, triggerId: string): Promise<DecisionLogEntry | null> {
    const raw = await this.redis.get(triggerKey(shopperId, visitId, triggerId));
    return raw ? (readDecisionLogEntry(raw) as DecisionLogEntry) : null;
  }

  /** The decision without its explanation (a JSON object): all a replay needs, its verdict and request. */
  private static head(entry: DecisionLogEntry): string {
    const { visitId, decidedAt, reason, request, outcome, offerId, arm, storeId, transition, brandId, triggerId } = entry;
    return JSON.stringify({ visitId, decidedAt, reason, request, outcome, offerId, arm, storeId, transition, brandId, triggerId });
  }

  /** Stores the decision if the trigger has none; returns the trigger's decision either way. */
  async claim(shopperId: string, triggerId: string, entry: DecisionLogEntry): Promise<{ entry: DecisionLogEntry; first: boolean }> {
    const claim = (this.redis as unknown as { peClaimDecision: (...a: (string | number)[]) => Promise<string | null> }).peClaimDecision;
    const prior = await claim.call(
      this.redis,
      triggerKey(shopperId, entry.visitId, triggerId),
      decisionLogKey(shopperId),
      DecisionLogRepository.head(entry),
      packConsidered(entry.considered),
    );
    return prior === null ? { entry, first: true } : { entry: readDecisionLogEntry(prior) as DecisionLogEntry, first: false };
  }

  async recent(shopperId: string): Promise<DecisionLogEntry[]> {
    return (await this.redis.lrange(decisionLogKey(shopperId), 0, LOG_LENGTH - 1)).map((d) => readDecisionLogEntry(d) as DecisionLogEntry);
  }

  /** Forgets the shopper's decisions: the log and the per-trigger records it points to. */
  async erase(shopperId: string): Promise<void> {
    const triggers = (await this.recent(shopperId)).filter((e) => e.triggerId).map((e) => triggerKey(shopperId, e.visitId, e.triggerId as string));
    await Promise.all(triggers.map((key) => this.redis.del(key)));
    await this.redis.del(decisionLogKey(shopperId));
  }
}
