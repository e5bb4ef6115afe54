import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

const key = (pageId: string, mid: string) => `gw:mid:{${pageId}}:${mid}`;
const TTL_SECONDS = 24 * 3600;

interface Lookup {
  mids: string[];
  resolve: (seen: Set<string>) => void;
  reject: (error: unknown) => void;
}

/** Message ids already accepted, so that Meta's retries of a webhook are published only once. */
@Injectable()
export class MessageDedupRepository {
  /** Lookups asked for during this turn of the event loop, by Page. */
  private pending = new Map<string, Lookup[]>();

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /**
   * Which of `mids` were accepted before. The lookups of every webhook handled in the same turn of
   * the event loop go to Redis together after it, one MGET per Page (a Page's keys share a slot),
   * instead of one command and one socket write per webhook: under load a turn takes in dozens.
   */
  seen(pageId: string, mids: string[]): Promise<Set<string>> {
    if (mids.length === 0) return Promise.resolve(new Set());
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => this.lookUp());
      const ofPage = this.pending.get(pageId);
      if (ofPage) ofPage.push({ mids, resolve, reject });
      else this.pending.set(pageId, [{ mids, resolve, reject }]);
    });
  }

  /**
   * Plain commands rather than a pipeline of their own: the webhooks whose events one produce
   * request carried resume together when Kafka acknowledges it, and the connection's auto-pipeline
   * sends all their commands in one write (each write costs more than the commands in it).
   */
  async remember(pageId: string, mids: string[]): Promise<void> {
    await Promise.all(mids.map((mid) => this.redis.set(key(pageId, mid), '1', 'EX', TTL_SECONDS)));
  }

  private lookUp(): void {
    const pending = this.pending;
    this.pending = new Map();
    for (const [pageId, lookups] of pending) {
      const mids = [...new Set(lookups.flatMap((l) => l.mids))];
      this.redis.mget(...mids.map((m) => key(pageId, m))).then(
        (found) => {
          const accepted = new Set(mids.filter((_, i) => found[i] !== null));
          for (const l of lookups) l.resolve(new Set(l.mids.filter((m) => accepted.has(m))));
        },
        (error: unknown) => {
          for (const l of lookups) l.reject(error);
        },
      );
    }
  }
}
