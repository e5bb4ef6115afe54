import { Channel, ChannelDirectory } from '@app/channels';
import { classifyFailure } from '@app/kafka';
import { Injectable, Logger } from '@nestjs/common';

/**
 * The connected Page a send is for. A channel whose secrets this service cannot open (sealed
 * under keys it does not hold: a misconfiguration, or another environment's channel on a shared
 * broker) fails the same way every time, so it is answered at once as `unreadable` instead of
 * being retried and dead-lettered; Redis being away is still a transient failure.
 */
@Injectable()
export class PageChannels {
  private readonly logger = new Logger(PageChannels.name);

  constructor(private readonly channels: ChannelDirectory) {}

  async get(pageId: string): Promise<Channel | 'unreadable' | null> {
    try {
      return await this.channels.get(pageId);
    } catch (error) {
      if (classifyFailure(error) === 'transient') throw error;
      this.logger.error({ pageId, error: error instanceof Error ? error.message : String(error) }, 'channel secrets cannot be opened');
      return 'unreadable';
    }
  }
}
