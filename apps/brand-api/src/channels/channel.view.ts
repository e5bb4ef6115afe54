import type { ChannelConnected } from '@app/contracts';
import type { ChannelEntity } from '@app/database';

/** What the API says about a channel: never a secret, only that one is set. */
export interface ChannelView {
  type: 'messenger';
  pageId: string;
  connected: true;
  version: number;
  updatedAt: string;
}

export function toChannelView(c: ChannelEntity): ChannelView {
  return { type: 'messenger', pageId: c.pageId, connected: true, version: c.version, updatedAt: c.updatedAt.toISOString() };
}

/** channel.connected's data: secrets stay sealed, the verify token only hashed. */
export function toChannelConnected(c: ChannelEntity): ChannelConnected {
  return {
    pageId: c.pageId,
    brandId: c.brandId,
    version: c.version,
    pageAccessToken: c.pageAccessToken,
    appSecret: c.appSecret,
    verifyTokenSha256: c.verifyTokenSha256,
    updatedAt: c.updatedAt.toISOString(),
  };
}
