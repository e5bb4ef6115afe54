import { Topics } from '@app/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { ChannelRepository } from '../channels/channel.repository';
import { Clock } from '../common/clock';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { shopperOfBrand } from './shopper-of-brand';
import { ShopperTagsBody, ShopperTagsView } from './shopper-tags.dto';

/**
 * Replaces a shopper's brand-assigned tags (the audience rule `shopperTags` of offers). brand-api
 * keeps no copy: the list travels on shopper.tags.v1 through the outbox, and the promotion engine
 * keeps it with the shopper's state, which erasure drops.
 */
@Injectable()
export class SetShopperTags {
  private readonly logger = new Logger(SetShopperTags.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly channels: ChannelRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(brandId: string, shopperId: string, body: ShopperTagsBody): Promise<ShopperTagsView> {
    const shopper = await shopperOfBrand(this.channels, brandId, shopperId);
    const tags = [...new Set(body.tags)];
    const setAt = this.clock.now().toISOString();
    await this.tx.run((tx) => this.outbox.append(tx, [this.outbox.event(Topics.ShopperTags, 'shopper.tags-set', { ...shopper, brandId, tags, setAt })]));
    this.outbox.flush();
    this.logger.log({ brandId, shopperId, tags: tags.length }, 'shopper tags set');
    return { shopperId, tags, setAt, tagsEvent: 'published' };
  }
}
