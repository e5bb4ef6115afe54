import { Topics } from '@app/contracts';
import { SecretBox } from '@app/config';
import { DomainError } from '@app/http';
import { Outgoing } from '@app/kafka';
import { Injectable } from '@nestjs/common';
import { sha256Hex } from '../auth/api-keys';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { ChannelRepository } from './channel.repository';

export interface ConnectChannelCommand {
  brandId: string;
  pageId: string;
  pageAccessToken: string;
  appSecret: string;
  verifyToken: string;
}

import { ChannelView, toChannelConnected, toChannelView } from './channel.view';

export type { ChannelView } from './channel.view';

/**
 * Connects (or reconnects) the brand's Messenger Page. Secrets are sealed before they are stored
 * or published; the sealing binds each secret to its Page (associated data), so a sealed token
 * cannot be replayed for another Page.
 */
@Injectable()
export class ConnectChannel {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly channels: ChannelRepository,
    private readonly outbox: OutboxWriter,
    private readonly secrets: SecretBox,
  ) {}

  async execute(command: ConnectChannelCommand): Promise<ChannelView> {
    const saved = await this.tx.run(async (tx) => {
      const owner = await this.channels.findByPage(command.pageId, tx);
      if (owner && owner.brandId !== command.brandId) {
        throw new DomainError('CONFLICT', `page ${command.pageId} is connected to another brand`);
      }
      const current = await this.channels.findByBrand(command.brandId, tx);
      const channel = await this.channels.save(tx, {
        brandId: command.brandId,
        pageId: command.pageId,
        pageAccessToken: this.secrets.seal(command.pageAccessToken, `page-token:${command.pageId}`),
        appSecret: this.secrets.seal(command.appSecret, `app-secret:${command.pageId}`),
        verifyTokenSha256: sha256Hex(command.verifyToken),
        version: await this.channels.nextVersion(tx),
      });
      const events: Outgoing[] = [
        this.outbox.event(Topics.ChannelCatalog, 'channel.connected', toChannelConnected(channel)),
      ];
      if (current && current.pageId !== channel.pageId) {
        // The brand moved to another Page: the old one is no longer served.
        events.push(
          this.outbox.event(Topics.ChannelCatalog, 'channel.disconnected', {
            pageId: current.pageId,
            brandId: current.brandId,
            version: channel.version,
          }),
        );
      }
      await this.outbox.append(tx, events);
      return channel;
    });
    this.outbox.flush();
    return toChannelView(saved);
  }
}
