import type { ShopperInteraction } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { ShopperState } from '../decisions/eligibility';

const shopperKey = (shopperId: string) => `pe:shopper:{sh:${shopperId}}`;

// KEYS: shopper hash. ARGV: atMs, opensWindow ('1'/'0'), command ('stop'|'start'|'').
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
return 1`;

/**
 * What the engine knows of a shopper: consent and the time of their last message. Kept without
 * expiry because an opt-out holds for good; erased with the shopper.
 */
@Injectable()
export class ShopperStateRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async record(interaction: ShopperInteraction): Promise<void> {
    const command = interaction.command === 'stop' || interaction.command === 'start' ? interaction.command : '';
    await this.redis.eval(RECORD, 1, shopperKey(interaction.shopperId), Date.parse(interaction.at), interaction.opensWindow ? '1' : '0', command);
  }

  async get(shopperId: string): Promise<ShopperState> {
    const [last, optedOut] = await this.redis.hmget(shopperKey(shopperId), 'lastInboundAtMs', 'optedOut');
    return { lastInboundAtMs: last ? Number(last) : null, optedOut: optedOut === '1' };
  }

  async erase(shopperId: string): Promise<void> {
    await this.redis.del(shopperKey(shopperId));
  }
}
