import { Topics } from '@app/contracts';
import { notFound } from '@app/http';
import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { OfferRepository } from './offer.repository';

/** Deletes an offer and publishes `offer.deleted` (next version), the compacted topic's last word. */
@Injectable()
export class DeleteOffer {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly offers: OfferRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(brandId: string, id: string): Promise<void> {
    await this.tx.run(async (tx) => {
      const current = await this.offers.lockOfBrand(tx, brandId, id);
      if (!current) throw notFound('offer');
      await this.offers.delete(tx, id);
      await this.outbox.append(tx, [
        this.outbox.event(Topics.OfferCatalog, 'offer.deleted', { offerId: id, brandId, version: current.version + 1 }),
      ]);
    });
    this.outbox.flush();
  }
}
