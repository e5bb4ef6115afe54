import { DECISION_LOG_TTL_SECONDS, DecisionLogEntry, decisionLogKey } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

/** `pe:decided:{v:<visitId>}:<triggerId>`: the decision that trigger got, without its explanation (for replays). */
const triggerKey = (visitId: string, triggerId: string) => `pe:decided:{v:${visitId}}:${triggerId}`;
const TRIGGER_TTL_SECONDS = 7 * 24 * 3600;
const LOG_LENGTH = 50;

// KEYS: the shopper's log. ARGV: entry, length, ttl. Newest first, capped, expiring.
const APPEND = `
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1`;

/**
 * One decision per trigger (a transition's location event), claimed atomically (SET NX): the same
 * transition redelivered gets the first decision back instead of a new one. Every first decision
 * is appended to the shopper's decision log (newest first, 50 entries, 30 days), which brand-api
 * serves on GET /v1/decisions.
 */
@Injectable()
export class DecisionLogRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    this.redis.defineCommand('peAppendDecision', { numberOfKeys: 1, lua: APPEND });
  }

  async find(visitId: string, triggerId: string): Promise<DecisionLogEntry | null> {
    const raw = await this.redis.get(triggerKey(visitId, triggerId));
    return raw ? (JSON.parse(raw) as DecisionLogEntry) : null;
  }

  /** What a replay needs of a decision: its verdict and its request, not the explanation. */
  private static record(entry: DecisionLogEntry): string {
    const { visitId, decidedAt, reason, request, outcome, offerId, arm, storeId, transition, brandId, triggerId } = entry;
    return JSON.stringify({ visitId, decidedAt, reason, considered: [], request, outcome, offerId, arm, storeId, transition, brandId, triggerId });
  }

  /** Stores the decision if the trigger has none; returns the trigger's decision either way. */
  async claim(shopperId: string, triggerId: string, entry: DecisionLogEntry): Promise<{ entry: DecisionLogEntry; first: boolean }> {
    const stored = await this.redis.set(triggerKey(entry.visitId, triggerId), DecisionLogRepository.record(entry), 'EX', TRIGGER_TTL_SECONDS, 'NX');
    if (stored === 'OK') {
      const append = (this.redis as unknown as { peAppendDecision: (...a: (string | number)[]) => Promise<number> }).peAppendDecision;
      await append.call(this.redis, decisionLogKey(shopperId), JSON.stringify(entry), LOG_LENGTH, DECISION_LOG_TTL_SECONDS);
      return { entry, first: true };
    }
    return { entry: (await this.find(entry.visitId, triggerId)) ?? entry, first: false };
  }

  async recent(shopperId: string): Promise<DecisionLogEntry[]> {
    return (await this.redis.lrange(decisionLogKey(shopperId), 0, LOG_LENGTH - 1)).map((d) => JSON.parse(d) as DecisionLogEntry);
  }

  /** Forgets the shopper's decisions: the log and the per-trigger records it points to. */
  async erase(shopperId: string): Promise<void> {
    const triggers = (await this.recent(shopperId)).filter((e) => e.triggerId).map((e) => triggerKey(e.visitId, e.triggerId as string));
    await Promise.all(triggers.map((key) => this.redis.del(key)));
    await this.redis.del(decisionLogKey(shopperId));
  }
}
