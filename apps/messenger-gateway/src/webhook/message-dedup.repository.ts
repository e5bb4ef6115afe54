import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const key = (pageId: string, mid: string) => `gw:mid:{${pageId}}:${mid}`;
const TTL_SECONDS = 24 * 3600;

/** Message ids already accepted, so that Meta's retries of a webhook are published only once. */
@Injectable()
export class MessageDedupRepository {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async seen(pageId: string, mids: string[]): Promise<Set<string>> {
    if (mids.length === 0) return new Set();
    const found = await this.redis.mget(...mids.map((m) => key(pageId, m)));
    return new Set(mids.filter((_, i) => found[i] !== null));
  }

  async remember(pageId: string, mids: string[]): Promise<void> {
    if (mids.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const mid of mids) pipeline.set(key(pageId, mid), '1', 'EX', TTL_SECONDS);
    await pipeline.exec();
  }
}
