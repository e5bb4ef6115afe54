import type { ShopperInteraction } from '@app/contracts';
import { REDIS, Redis, callCommand, defineBatchCommand } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { InterestProfile } from '../interests/interest-profile';
import { interestsKey, parseInterestFields } from '../interests/interest-profile.repository';

/** Under the brand's hash tag, like every key the engine keeps per shopper (a shopper is one Page's, so one brand's). */
export const shopperKey = (brandId: string, shopperId: string) => `pe:shopper:{b:${brandId}}:${shopperId}`;

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

// KEYS: for each shopper, their hash and their interest profile (one brand, so one hash tag). What
// decisions read of their shoppers, in one call: consent, window, locale, zone, tags, then the
// interest profile's fields, two replies per shopper.
const READ_MANY = `
local out = {}
for i = 1, #KEYS, 2 do
  out[#out + 1] = redis.call('HMGET', KEYS[i], 'lastInboundAtMs', 'optedOut', 'locale', 'timezone', 'tags')
  out[#out + 1] = redis.call('HGETALL', KEYS[i + 1])
end
return out`;

/** Shoppers per read call: bounds how long one call holds Redis (well under a millisecond). */
const READ_CHUNK = 128;

// KEYS: shopper hash. ARGV: tags (JSON array), setAtMs. Only a newer list replaces the stored one.
const SET_TAGS = `
local at = tonumber(redis.call('HGET', KEYS[1], 'tagsAtMs') or '0')
if tonumber(ARGV[2]) < at then return 0 end
redis.call('HSET', KEYS[1], 'tags', ARGV[1], 'tagsAtMs', ARGV[2])
return 1`;

export interface StoredShopper {
  optedOut: boolean;
  lastInboundAtMs: number | null;
  locale: string | null;
  timezone: string | null;
  /** Brand-assigned shopper tags (JSON array in the `tags` field), from brand-api's PUT /v1/shoppers/:id/tags. */
  tags: string[];
}

export type ShopperWithInterests = StoredShopper & { profile: InterestProfile };

/**
 * What the engine knows of a shopper: consent, the time of their last message, locale and time
 * zone when the gateway knows them. Kept without expiry because an opt-out holds for good;
 * erased with the shopper.
 */
@Injectable()
export class ShopperStateRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {
    defineBatchCommand(this.redis, 'peReadShoppers', { lua: READ_MANY });
    this.redis.defineCommand('peSetShopperTags', { numberOfKeys: 1, lua: SET_TAGS });
  }

  async record(interaction: ShopperInteraction): Promise<void> {
    const command = interaction.command === 'stop' || interaction.command === 'start' ? interaction.command : '';
    await this.redis.eval(
      RECORD,
      1,
      shopperKey(interaction.brandId, interaction.shopperId),
      Date.parse(interaction.at),
      interaction.opensWindow ? '1' : '0',
      command,
      interaction.locale ?? '',
      interaction.timezone ?? '',
    );
  }

  async get(brandId: string, shopperId: string): Promise<StoredShopper> {
    const fields = await this.redis.hmget(shopperKey(brandId, shopperId), 'lastInboundAtMs', 'optedOut', 'locale', 'timezone', 'tags');
    return storedShopperOf(fields);
  }

  /**
   * The state and interest profile of many of the brand's shoppers, in one script call per
   * READ_CHUNK of them (a decision batch's only shopper read); in the order asked.
   */
  async getManyWithInterests(brandId: string, shopperIds: string[]): Promise<ShopperWithInterests[]> {
    const chunks: Promise<(string | null)[][]>[] = [];
    for (let from = 0; from < shopperIds.length; from += READ_CHUNK) {
      const to = Math.min(from + READ_CHUNK, shopperIds.length);
      const args: (string | number)[] = [(to - from) * 2];
      for (let i = from; i < to; i += 1) args.push(shopperKey(brandId, shopperIds[i]), interestsKey(brandId, shopperIds[i]));
      chunks.push(callCommand(this.redis, 'peReadShoppers', args));
    }
    const shoppers: ShopperWithInterests[] = new Array(shopperIds.length);
    let i = 0;
    for (const replies of await Promise.all(chunks)) {
      for (let r = 0; r < replies.length; r += 2) shoppers[i++] = storedShopperOf(replies[r], parseInterestFields(replies[r + 1] as string[]));
    }
    return shoppers;
  }

  /** Replaces the shopper's brand-assigned tags, unless a newer list was already stored. */
  async setTags(brandId: string, shopperId: string, tags: string[], setAtMs: number): Promise<boolean> {
    return (await callCommand<number>(this.redis, 'peSetShopperTags', [shopperKey(brandId, shopperId), JSON.stringify(tags), setAtMs])) === 1;
  }

  async erase(brandId: string, shopperId: string): Promise<void> {
    await this.redis.del(shopperKey(brandId, shopperId));
  }
}

function storedShopperOf(fields: (string | null)[]): StoredShopper;
function storedShopperOf(fields: (string | null)[], profile: InterestProfile): ShopperWithInterests;
/** The shopper hash's fields as read, with the interest profile when one was read beside them. */
function storedShopperOf([last, optedOut, locale, timezone, tags]: (string | null)[], profile?: InterestProfile): StoredShopper | ShopperWithInterests {
  const shopper: StoredShopper & { profile?: InterestProfile } = {
    lastInboundAtMs: last ? Number(last) : null,
    optedOut: optedOut === '1',
    locale: locale || null,
    timezone: timezone || null,
    tags: tags ? (JSON.parse(tags) as string[]) : [],
  };
  // Set on the same object rather than spread into a second one (a read per decision).
  if (profile) shopper.profile = profile;
  return shopper;
}
