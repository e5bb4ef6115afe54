import { Topics } from '@app/contracts';
import { notFound } from '@app/http';
import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { ChannelRepository } from './channel.repository';

/**
 * Disconnects the brand's Page: its sealed secrets are deleted and channel.disconnected tells the
 * gateway and delivery to stop serving it. The Page can then be connected by any brand.
 */
@Injectable()
export class DisconnectChannel {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly channels: ChannelRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(brandId: string): Promise<void> {
    await this.tx.run(async (tx) => {
      const current = await this.channels.lockOfBrand(tx, brandId);
      if (!current) throw notFound('messenger channel');
      await this.channels.remove(tx, brandId);
      await this.outbox.append(tx, [
        this.outbox.event(Topics.ChannelCatalog, 'channel.disconnected', {
          pageId: current.pageId,
          brandId,
          version: await this.channels.nextVersion(tx),
        }),
      ]);
    });
    this.outbox.flush();
  }
}
