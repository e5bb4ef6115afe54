import type { ShopperInteraction } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

export const shopperKey = (shopperId: string) => `pe:shopper:{sh:${shopperId}}`;

// KEYS: shopper hash. ARGV: atMs, opensWindow ('1'/'0'), command ('stop'|'start'|''), locale, timezone ('' = unknown).
// The window only moves forward; consent follows the latest command by Meta's timestamp, so a
// late-arriving older event never undoes a newer STOP.
const RECORD = `
if ARGV[2] == '1' then
  local last = tonumber(redis.call('HGET', KEYS[1], 'lastInboundAtMs') or '0')
  if tonumber(ARGV[1]) > last then redis.call('HSET', KEYS[1], 'lastInboundAtMs', ARGV[1]) end
end
if ARGV[3] ~= '' then
  local consentAt = tonumber(redis.call('HGET', KEYS[1], 'consentAtMs') or '0')
  if tonumber(ARGV[1]) >= consentAt then
    redis.call('HSET', KEYS[1], 'optedOut', ARGV[3] == 'stop' and '1' or '0', 'consentAtMs', ARGV[1])
  end
end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'locale', ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'timezone', ARGV[5]) end
return 1`;

export interface StoredShopper {
  optedOut: boolean;
  lastInboundAtMs: number | null;
  locale: string | null;
  timezone: string | null;
  /** Brand-assigned shopper tags (JSON array in the `tags` field); nothing writes them yet. */
  tags: string[];
}

/**
 * What the engine knows of a shopper: consent, the time of their last message, locale and time
 * zone when the gateway knows them. Kept without expiry because an opt-out holds for good;
 * erased with the shopper.
 */
@Injectable()
export class ShopperStateRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async record(interaction: ShopperInteraction): Promise<void> {
    const command = interaction.command === 'stop' || interaction.command === 'start' ? interaction.command : '';
    await this.redis.eval(
      RECORD,
      1,
      shopperKey(interaction.shopperId),
      Date.parse(interaction.at),
      interaction.opensWindow ? '1' : '0',
      command,
      interaction.locale ?? '',
      interaction.timezone ?? '',
    );
  }

  async get(shopperId: string): Promise<StoredShopper> {
    const [last, optedOut, locale, timezone, tags] = await this.redis.hmget(shopperKey(shopperId), 'lastInboundAtMs', 'optedOut', 'locale', 'timezone', 'tags');
    return {
      lastInboundAtMs: last ? Number(last) : null,
      optedOut: optedOut === '1',
      locale: locale || null,
      timezone: timezone || null,
      tags: tags ? (JSON.parse(tags) as string[]) : [],
    };
  }

  async erase(shopperId: string): Promise<void> {
    await this.redis.del(shopperKey(shopperId));
  }
}
