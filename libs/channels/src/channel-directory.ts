import { ChannelConnected, EventOf, Topics } from '@app/contracts';
import { SecretBox } from '@app/config';
import { REDIS, Redis } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';

/** A connected Page as the gateway and the delivery service need it, secrets opened. */
export interface Channel {
  pageId: string;
  brandId: string;
  version: number;
  appSecret: string;
  pageAccessToken: string;
}

const channelKey = (pageId: string) => `channel:{${pageId}}`;
const verifyKey = (sha256: string) => `channel-verify:{${sha256}}`;

// Applies a channel snapshot only if it is newer than what is stored (events may be replayed).
const APPLY_IF_NEWER = `
local current = redis.call('HGET', KEYS[1], 'version')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'version', ARGV[1], 'deleted', '1')
else
  redis.call('HSET', KEYS[1], 'version', ARGV[1], 'snapshot', ARGV[2])
end
return 1`;

const CACHE_MS = 5_000;

/**
 * A channel whose secrets this deployment cannot open (sealed under a key it does not hold):
 * retrying cannot help, so consumers dead-letter the event at once (failure-policy `permanent`)
 * instead of holding their partition. On a broker shared by several stacks this is every other
 * stack's Page.
 */
export class ChannelSecretsUnreadable extends Error {
  readonly permanent = true;
  readonly code = 'CHANNEL_SECRETS_UNREADABLE';
  constructor(pageId: string, options?: { cause?: unknown }) {
    super(`the secrets of Page ${pageId} cannot be opened with this deployment's keys`, options);
    this.name = 'ChannelSecretsUnreadable';
  }
}

/**
 * The projection of catalog.channel.v1 in Redis, shared by the apps that serve Pages (gateway,
 * delivery). Secrets stay sealed in Redis and are opened in memory only; an in-process cache
 * keeps the webhook's hot path to one Redis read every few seconds per Page.
 */
@Injectable()
export class ChannelDirectory {
  private readonly cache = new Map<string, { channel: Channel | null; until: number }>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly secrets: SecretBox,
  ) {}

  async apply(event: EventOf<typeof Topics.ChannelCatalog>): Promise<void> {
    const data = event.data;
    const snapshot = event.type === 'channel.connected' ? JSON.stringify(data) : '';
    const applied = await this.redis.eval(APPLY_IF_NEWER, 1, channelKey(data.pageId), data.version, snapshot);
    if (applied === 1 && event.type === 'channel.connected') {
      await this.redis.set(verifyKey(event.data.verifyTokenSha256), data.pageId);
    }
    this.cache.delete(data.pageId);
  }

  async get(pageId: string, now = Date.now()): Promise<Channel | null> {
    const cached = this.cache.get(pageId);
    if (cached && cached.until > now) return cached.channel;
    const raw = await this.redis.hget(channelKey(pageId), 'snapshot');
    const channel = raw ? this.open(JSON.parse(raw) as ChannelConnected) : null;
    this.cache.set(pageId, { channel, until: now + CACHE_MS });
    return channel;
  }

  /** Whether a verify token (by its SHA-256) belongs to a connected Page. */
  async hasVerifyToken(sha256: string): Promise<boolean> {
    const pageId = await this.redis.get(verifyKey(sha256));
    if (!pageId) return false;
    const raw = await this.redis.hget(channelKey(pageId), 'snapshot');
    return raw !== null && (JSON.parse(raw) as ChannelConnected).verifyTokenSha256 === sha256;
  }

  private open(snapshot: ChannelConnected): Channel {
    try {
      return {
        pageId: snapshot.pageId,
        brandId: snapshot.brandId,
        version: snapshot.version,
        appSecret: this.secrets.open(snapshot.appSecret, `app-secret:${snapshot.pageId}`),
        pageAccessToken: this.secrets.open(snapshot.pageAccessToken, `page-token:${snapshot.pageId}`),
      };
    } catch (error) {
      throw new ChannelSecretsUnreadable(snapshot.pageId, { cause: error });
    }
  }
}
