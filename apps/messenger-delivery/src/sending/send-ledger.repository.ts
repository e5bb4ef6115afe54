import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const key = (requestId: string) => `dl:req:{r:${requestId}}`;
const TTL_SECONDS = 7 * 24 * 3600;

export type LedgerEntry =
  | { state: 'sending'; since: string }
  | { state: 'done'; status: 'sent' | 'failed' | 'expired' | 'skipped'; messageId: string | null; reason: string | null; attempts: number };

/**
 * The idempotency ledger of sends, by requestId. A request is claimed before the Send API call;
 * one found already claimed is never sent again: if a crash interrupted the call we cannot know
 * whether Meta delivered it, and a shopper must never get a promotion twice.
 */
@Injectable()
export class SendLedgerRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async claim(requestId: string): Promise<LedgerEntry | null> {
    const entry: LedgerEntry = { state: 'sending', since: new Date().toISOString() };
    const ok = await this.redis.set(key(requestId), JSON.stringify(entry), 'EX', TTL_SECONDS, 'NX');
    if (ok === 'OK') return null;
    const existing = await this.redis.get(key(requestId));
    return existing ? (JSON.parse(existing) as LedgerEntry) : null;
  }

  async finish(requestId: string, entry: Extract<LedgerEntry, { state: 'done' }>): Promise<void> {
    await this.redis.set(key(requestId), JSON.stringify(entry), 'EX', TTL_SECONDS);
  }
}
