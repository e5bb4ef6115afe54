import { DecisionLogEntry, decisionLogKey, readDecisionLogEntry } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable, Logger } from '@nestjs/common';

const MAX_ENTRIES = 50;

/** Reads the promotion engine's decision log (libs/contracts decision-log) from Redis; `considered` is stored packed. */
@Injectable()
export class DecisionLogReader {
  private readonly logger = new Logger(DecisionLogReader.name);

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Newest first; entries that break the contract are skipped and logged, never served. */
  async recent(brandId: string, shopperId: string): Promise<DecisionLogEntry[]> {
    const raw = await this.redis.lrange(decisionLogKey(brandId, shopperId), 0, MAX_ENTRIES - 1);
    const entries: DecisionLogEntry[] = [];
    for (const item of raw) {
      let json: unknown;
      try {
        json = readDecisionLogEntry(item);
      } catch {
        json = null;
      }
      const parsed = DecisionLogEntry.safeParse(json);
      if (parsed.success) entries.push(parsed.data);
      else this.logger.warn({ shopperId }, 'skipping a decision log entry that breaks the contract');
    }
    return entries;
  }
}
