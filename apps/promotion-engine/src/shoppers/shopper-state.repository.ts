import type { ShopperInteraction } from '@app/contracts';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { InterestProfile } from '../interests/interest-profile';
import { interestsKey, parseInterestFields } from '../interests/interest-profile.repository';

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

// KEYS: shopper hash, interest profile (same hash tag). What a decision reads of a shopper, in
// one call: consent, window, locale, zone, tags, then the interest profile's fields.
const READ = `
local s = redis.call('HMGET', KEYS[1], 'lastInboundAtMs', 'optedOut', 'locale', 'timezone', 'tags')
return {s, redis.call('HGETALL', KEYS[2])}`;

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
    this.redis.defineCommand('peReadShopper', { numberOfKeys: 2, lua: READ });
    this.redis.defineCommand('peSetShopperTags', { numberOfKeys: 1, lua: SET_TAGS });
  }

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
    const fields = await this.redis.hmget(shopperKey(shopperId), 'lastInboundAtMs', 'optedOut', 'locale', 'timezone', 'tags');
    return storedShopperOf(fields);
  }

  /** The shopper's state and interest profile, in one script call (a decision's only shopper read). */
  async getWithInterests(shopperId: string): Promise<ShopperWithInterests> {
    const read = (this.redis as unknown as { peReadShopper: (...keys: string[]) => Promise<[(string | null)[], string[]]> }).peReadShopper;
    const [fields, interests] = await read.call(this.redis, shopperKey(shopperId), interestsKey(shopperId));
    return storedShopperOf(fields, parseInterestFields(interests));
  }

  /** Replaces the shopper's brand-assigned tags, unless a newer list was already stored. */
  async setTags(shopperId: string, tags: string[], setAtMs: number): Promise<boolean> {
    const set = (this.redis as unknown as { peSetShopperTags: (...a: (string | number)[]) => Promise<number> }).peSetShopperTags;
    return (await set.call(this.redis, shopperKey(shopperId), JSON.stringify(tags), setAtMs)) === 1;
  }

  async erase(shopperId: string): Promise<void> {
    await this.redis.del(shopperKey(shopperId));
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
