import { DECISION_LOG_TTL_SECONDS, PromotionSendRequest, decisionLogKey } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const visitKey = (visitId: string) => `pe:visit:{v:${visitId}}`;
const logKey = decisionLogKey;
const VISIT_TTL_SECONDS = 7 * 24 * 3600;
const LOG_TTL_SECONDS = DECISION_LOG_TTL_SECONDS;
const LOG_LENGTH = 50;

export interface VisitDecision {
  decidedAt: string;
  reason: string | null;
  considered: { offerId: string; reason: string }[];
  request: PromotionSendRequest | null;
}

/**
 * One decision per visit, claimed atomically (SET NX): a second transition for the same visit,
 * or the same one redelivered, gets the first decision back instead of a new promotion.
 */
@Injectable()
export class DecisionLogRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Stores the decision if the visit has none; returns the visit's decision either way. */
  async claim(shopperId: string, visitId: string, decision: VisitDecision): Promise<{ decision: VisitDecision; first: boolean }> {
    const stored = await this.redis.set(visitKey(visitId), JSON.stringify(decision), 'EX', VISIT_TTL_SECONDS, 'NX');
    if (stored === 'OK') {
      await this.redis
        .multi()
        .lpush(logKey(shopperId), JSON.stringify({ visitId, ...decision }))
        .ltrim(logKey(shopperId), 0, LOG_LENGTH - 1)
        .expire(logKey(shopperId), LOG_TTL_SECONDS)
        .exec();
      return { decision, first: true };
    }
    const existing = await this.redis.get(visitKey(visitId));
    return { decision: existing ? (JSON.parse(existing) as VisitDecision) : decision, first: false };
  }

  async recent(shopperId: string): Promise<unknown[]> {
    return (await this.redis.lrange(logKey(shopperId), 0, LOG_LENGTH - 1)).map((d) => JSON.parse(d) as unknown);
  }
}
