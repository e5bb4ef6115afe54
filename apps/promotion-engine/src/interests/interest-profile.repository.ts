import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { InterestProfile } from './interest-profile';

/** `pe:interests:{sh:<shopperId>}`: category → "<score>|<atMs>"; expires PROFILE_TTL after the last update. */
export const interestsKey = (shopperId: string) => `pe:interests:{sh:${shopperId}}`;

@Injectable()
export class InterestProfileRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async get(shopperId: string): Promise<InterestProfile> {
    const raw = await this.redis.hgetall(interestsKey(shopperId));
    const profile: InterestProfile = {};
    for (const [category, value] of Object.entries(raw)) {
      const [score, atMs] = value.split('|').map(Number);
      if (Number.isFinite(score) && Number.isFinite(atMs)) profile[category] = { score, atMs };
    }
    return profile;
  }

  async save(shopperId: string, entries: InterestProfile, ttlSeconds: number): Promise<void> {
    const fields = Object.entries(entries).flatMap(([category, e]) => [category, `${e.score.toFixed(4)}|${e.atMs}`]);
    if (fields.length === 0) return;
    await this.redis.multi().hset(interestsKey(shopperId), ...fields).expire(interestsKey(shopperId), ttlSeconds).exec();
  }

  async erase(shopperId: string): Promise<void> {
    await this.redis.del(interestsKey(shopperId));
  }
}
