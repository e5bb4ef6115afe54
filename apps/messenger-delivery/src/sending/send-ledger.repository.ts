import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const key = (requestId: string) => `dl:req:{r:${requestId}}`;
const TTL_SECONDS = 7 * 24 * 3600;

export type DoneEntry = {
  state: 'done';
  status: 'sent' | 'failed' | 'expired' | 'skipped';
  messageId: string | null;
  reason: string | null;
  attempts: number;
};
export type LedgerEntry =
  | { state: 'sending'; attempt: number; since: number }
  /** Meta answered a temporary error: the send did not happen and `attempt` may try again. */
  | { state: 'retrying'; attempt: number; since: number }
  | DoneEntry;

/**
 * Claims attempt `ARGV[1]` of a request: free when nothing is recorded (first attempt) or when the
 * request waits for exactly this retry. Returns '' when claimed, else the current entry.
 */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
local attempt = tonumber(ARGV[1])
if current then
  local entry = cjson.decode(current)
  if not (entry.state == 'retrying' and tonumber(entry.attempt) == attempt) then return current end
elseif attempt ~= 1 then
  return '{"state":"missing"}'
end
redis.call('SET', KEYS[1], cjson.encode({state='sending', attempt=attempt, since=tonumber(ARGV[2])}), 'EX', ARGV[3])
return ''`;

/**
 * The idempotency ledger of sends, by requestId, shared by every replica. An attempt is claimed
 * atomically before the Send API call. A request found `sending` is never sent again: if a crash
 * interrupted the call nobody knows whether Meta delivered it, and a shopper must never get a
 * promotion twice. Only a definite refusal from Meta (`retrying`) frees the next attempt.
 */
@Injectable()
export class SendLedgerRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** null when this attempt is ours to make; otherwise what is recorded (or `missing`). */
  async claim(requestId: string, attempt: number, nowMs: number): Promise<LedgerEntry | { state: 'missing' } | null> {
    const result = (await this.redis.eval(CLAIM, 1, key(requestId), attempt, nowMs, TTL_SECONDS)) as string;
    return result === '' ? null : (JSON.parse(result) as LedgerEntry | { state: 'missing' });
  }

  async retryLater(requestId: string, nextAttempt: number, nowMs: number): Promise<void> {
    const entry: LedgerEntry = { state: 'retrying', attempt: nextAttempt, since: nowMs };
    await this.redis.set(key(requestId), JSON.stringify(entry), 'EX', TTL_SECONDS);
  }

  async finish(requestId: string, entry: DoneEntry): Promise<void> {
    await this.redis.set(key(requestId), JSON.stringify(entry), 'EX', TTL_SECONDS);
  }
}
