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

  /**
   * Plain commands rather than a pipeline of their own: the webhooks whose events one produce
   * request carried resume together when Kafka acknowledges it, and the connection's auto-pipeline
   * sends all their commands in one write (each write costs more than the commands in it).
   */
  async remember(pageId: string, mids: string[]): Promise<void> {
    await Promise.all(mids.map((mid) => this.redis.set(key(pageId, mid), '1', 'EX', TTL_SECONDS)));
  }
}
