import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { InterestProfile } from './interest-profile';

/**
 * `pe:interests:{b:<brandId>}:<shopperId>`: category → "<score>|<atMs>"; expires PROFILE_TTL after
 * the last update. Under the brand's hash tag, beside the shopper's state: a decision batch reads both.
 */
export const interestsKey = (brandId: string, shopperId: string) => `pe:interests:{b:${brandId}}:${shopperId}`;

@Injectable()
export class InterestProfileRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async get(brandId: string, shopperId: string): Promise<InterestProfile> {
    const raw = await this.redis.hgetall(interestsKey(brandId, shopperId));
    return parseInterestFields(Object.entries(raw).flat());
  }

  async save(brandId: string, shopperId: string, entries: InterestProfile, ttlSeconds: number): Promise<void> {
    const fields = Object.entries(entries).flatMap(([category, e]) => [category, `${e.score.toFixed(4)}|${e.atMs}`]);
    if (fields.length === 0) return;
    const key = interestsKey(brandId, shopperId);
    await this.redis.multi().hset(key, ...fields).expire(key, ttlSeconds).exec();
  }

  async erase(brandId: string, shopperId: string): Promise<void> {
    await this.redis.del(interestsKey(brandId, shopperId));
  }
}

/** The stored profile from its hash fields as HGETALL lists them: category, "<score>|<atMs>", … */
export function parseInterestFields(fields: string[]): InterestProfile {
  const profile: InterestProfile = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    const bar = value.indexOf('|');
    const score = Number(value.slice(0, bar));
    const atMs = Number(value.slice(bar + 1));
    if (bar > 0 && Number.isFinite(score) && Number.isFinite(atMs)) profile[fields[i]] = { score, atMs };
  }
  return profile;
}
