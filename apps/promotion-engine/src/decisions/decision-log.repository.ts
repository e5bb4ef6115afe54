import { DECISION_LOG_TTL_SECONDS, DecisionLogEntry, decisionLogKey } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

/** `pe:visit:{v:<visitId>}`: triggerId → the decision that trigger got (for replays). */
const visitKey = (visitId: string) => `pe:visit:{v:${visitId}}`;
const VISIT_TTL_SECONDS = 7 * 24 * 3600;
const LOG_LENGTH = 50;

/**
 * One decision per trigger (a transition's location event), claimed atomically (HSETNX): the same
 * transition redelivered gets the first decision back instead of a new one. Every first decision
 * is appended to the shopper's decision log (newest first, 50 entries, 30 days), which brand-api
 * serves on GET /v1/decisions.
 */
@Injectable()
export class DecisionLogRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async find(visitId: string, triggerId: string): Promise<DecisionLogEntry | null> {
    const raw = await this.redis.hget(visitKey(visitId), triggerId);
    return raw ? (JSON.parse(raw) as DecisionLogEntry) : null;
  }

  /** Stores the decision if the trigger has none; returns the trigger's decision either way. */
  async claim(shopperId: string, triggerId: string, entry: DecisionLogEntry): Promise<{ entry: DecisionLogEntry; first: boolean }> {
    const json = JSON.stringify(entry);
    const stored = await this.redis.hsetnx(visitKey(entry.visitId), triggerId, json);
    if (stored === 1) {
      // Separate commands, not MULTI: the keys live in different cluster slots.
      await Promise.all([
        this.redis.expire(visitKey(entry.visitId), VISIT_TTL_SECONDS),
        this.redis.lpush(decisionLogKey(shopperId), json),
        this.redis.ltrim(decisionLogKey(shopperId), 0, LOG_LENGTH - 1),
        this.redis.expire(decisionLogKey(shopperId), DECISION_LOG_TTL_SECONDS),
      ]);
      return { entry, first: true };
    }
    return { entry: (await this.find(entry.visitId, triggerId)) ?? entry, first: false };
  }

  async recent(shopperId: string): Promise<DecisionLogEntry[]> {
    return (await this.redis.lrange(decisionLogKey(shopperId), 0, LOG_LENGTH - 1)).map((d) => JSON.parse(d) as DecisionLogEntry);
  }

  /** Forgets the shopper's decisions: the log and the per-visit records it points to. */
  async erase(shopperId: string): Promise<void> {
    const visits = new Set((await this.recent(shopperId)).map((e) => e.visitId));
    await Promise.all([...visits].map((v) => this.redis.del(visitKey(v))));
    await this.redis.del(decisionLogKey(shopperId));
  }
}
