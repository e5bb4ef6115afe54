import { Topics } from '@app/contracts';
import { notFound } from '@app/http';
import { EventPublisher } from '@app/kafka';
import { Injectable } from '@nestjs/common';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { TransactionRunner } from '../persistence/transaction-runner';
import { OfferRepository } from './offer.repository';

/** Deletes an offer and publishes `offer.deleted` (next version), the compacted topic's last word. */
@Injectable()
export class DeleteOffer {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly offers: OfferRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly publisher: EventPublisher,
  ) {}

  async execute(brandId: string, id: string): Promise<void> {
    await this.tx.run(async (tx) => {
      const current = await this.offers.lockOfBrand(tx, brandId, id);
      if (!current) throw notFound('offer');
      await this.offers.delete(tx, id);
      await this.outbox.append(tx, [
        this.publisher.build(Topics.OfferCatalog, 'offer.deleted', { offerId: id, brandId, version: current.version + 1 }),
      ]);
    });
    this.relay.wake();
  }
}
