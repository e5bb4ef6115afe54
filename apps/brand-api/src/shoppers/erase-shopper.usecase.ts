import { Topics } from '@app/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { ChannelRepository } from '../channels/channel.repository';
import { Clock } from '../common/clock';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { DeliveryRepository } from '../stats/delivery.repository';
import { shopperOfBrand } from './shopper-of-brand';

export interface ErasureReceipt {
  shopperId: string;
  /** Sends whose link to the shopper was removed (their counts stay in the offer stats). */
  deliveriesUnlinked: number;
  /** shopper.erasure.v1 was recorded with the change and is published to every service. */
  erasureEvent: 'published';
  requestedAt: string;
}

/**
 * Erases a shopper: what Postgres holds about them goes in one transaction that also records
 * shopper.erasure.v1 in the outbox, so every service drops the shopper's Redis state.
 */
@Injectable()
export class EraseShopper {
  private readonly logger = new Logger(EraseShopper.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly channels: ChannelRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(brandId: string, shopperId: string): Promise<ErasureReceipt> {
    const shopper = await shopperOfBrand(this.channels, brandId, shopperId);
    const requestedAt = this.clock.now().toISOString();
    const unlinked = await this.tx.run(async (tx) => {
      const n = await this.deliveries.eraseShopper(tx, shopper.shopperId);
      await this.outbox.append(tx, [this.outbox.event(Topics.ShopperErasure, 'shopper.erased', { ...shopper, brandId, requestedAt })]);
      return n;
    });
    this.outbox.flush();
    this.logger.log({ brandId, shopperId, deliveriesUnlinked: unlinked }, 'shopper erased');
    return { shopperId, deliveriesUnlinked: unlinked, erasureEvent: 'published', requestedAt };
  }
}
