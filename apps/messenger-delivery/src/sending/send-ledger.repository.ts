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
  /** Attempt `attempt` is held by the holder of `token`; the Send API has not been called yet. */
  | { state: 'claimed'; attempt: number; since: number; token: string }
  /** The Send API call of `attempt` started: whether Meta delivered it is unknown until `done`. */
  | { state: 'sending'; attempt: number; since: number }
  /** Meta answered a temporary error: the send did not happen and `attempt` may try again. */
  | { state: 'retrying'; attempt: number; since: number }
  | DoneEntry;

/**
 * Claims attempt `ARGV[1]` for the holder of token `ARGV[4]`: free when nothing is recorded (first
 * attempt), when the request waits for exactly this retry, or when this attempt is only `claimed`
 * (its holder failed or died before calling Meta, e.g. while Redis was away, and the message was
 * redelivered: taking the claim over with a new token stops the old holder from calling).
 * Returns '' when claimed, else the current entry.
 */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
local attempt = tonumber(ARGV[1])
if current then
  local entry = cjson.decode(current)
  local free = (entry.state == 'retrying' or entry.state == 'claimed') and tonumber(entry.attempt) == attempt
  if not free then return current end
elseif attempt ~= 1 then
  return '{"state":"missing"}'
end
redis.call('SET', KEYS[1], cjson.encode({state='claimed', attempt=attempt, since=tonumber(ARGV[2]), token=ARGV[4]}), 'EX', ARGV[3])
return ''`;

/** `claimed` by token `ARGV[1]` → `sending`, right before the Send API call; 0 when the claim was taken over. */
const START_SENDING = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local entry = cjson.decode(current)
if entry.state ~= 'claimed' or entry.token ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], cjson.encode({state='sending', attempt=entry.attempt, since=tonumber(ARGV[2])}), 'EX', ARGV[3])
return 1`;

/**
 * The idempotency ledger of sends, by requestId, shared by every replica. An attempt is claimed
 * atomically before anything else, and marked `sending` (compare-and-set on the claim's token)
 * right before the Send API call. A request found `sending` is never sent again: if a crash
 * interrupted the call nobody knows whether Meta delivered it, and a shopper must never get a
 * promotion twice. A request found only `claimed` was never sent, so a redelivered copy takes it
 * over. Only a definite refusal from Meta (`retrying`) frees the next attempt.
 */
@Injectable()
export class SendLedgerRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** null when this attempt is ours (held by `token`) to make; otherwise what is recorded (or `missing`). */
  async claim(requestId: string, attempt: number, nowMs: number, token: string): Promise<LedgerEntry | { state: 'missing' } | null> {
    const result = (await this.redis.eval(CLAIM, 1, key(requestId), attempt, nowMs, TTL_SECONDS, token)) as string;
    return result === '' ? null : (JSON.parse(result) as LedgerEntry | { state: 'missing' });
  }

  /** True when the claim held by `token` is still ours and is now `sending`: the call may go. */
  async startSending(requestId: string, token: string, nowMs: number): Promise<boolean> {
    return (await this.redis.eval(START_SENDING, 1, key(requestId), token, nowMs, TTL_SECONDS)) === 1;
  }

  async retryLater(requestId: string, nextAttempt: number, nowMs: number): Promise<void> {
    const entry: LedgerEntry = { state: 'retrying', attempt: nextAttempt, since: nowMs };
    await this.redis.set(key(requestId), JSON.stringify(entry), 'EX', TTL_SECONDS);
  }

  async finish(requestId: string, entry: DoneEntry): Promise<void> {
    await this.redis.set(key(requestId), JSON.stringify(entry), 'EX', TTL_SECONDS);
  }
}
