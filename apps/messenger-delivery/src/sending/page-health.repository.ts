import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const pauseKey = (pageId: string) => `dl:page-pause:{p:${pageId}}`;
const unreachableKey = (shopperId: string) => `dl:unreachable:{${shopperId}}`;

export interface PagePause {
  reason: string;
  /** The channel version Meta refused; a reconnected channel (newer version) lifts the pause. */
  channelVersion: number;
  untilMs: number | null;
}

/** Pages the delivery service stopped sending for, and shoppers Meta says are unavailable. */
@Injectable()
export class PageHealthRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async pause(pageId: string, pause: PagePause, nowMs: number): Promise<void> {
    const value = JSON.stringify(pause);
    if (pause.untilMs === null) await this.redis.set(pauseKey(pageId), value);
    else await this.redis.set(pauseKey(pageId), value, 'PX', Math.max(1, pause.untilMs - nowMs));
  }

  async pauseOf(pageId: string): Promise<PagePause | null> {
    const raw = await this.redis.get(pauseKey(pageId));
    return raw ? (JSON.parse(raw) as PagePause) : null;
  }

  async resume(pageId: string): Promise<void> {
    await this.redis.del(pauseKey(pageId));
  }

  async markUnreachable(shopperId: string, forMs: number): Promise<void> {
    await this.redis.set(unreachableKey(shopperId), '1', 'PX', forMs);
  }

  async isUnreachable(shopperId: string): Promise<boolean> {
    return (await this.redis.exists(unreachableKey(shopperId))) === 1;
  }
}
