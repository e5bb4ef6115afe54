import { Topics } from '@app/contracts';
import { DomainError, notFound } from '@app/http';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { OutboxWriter } from '../outbox/outbox-writer';
import { validationFailed } from '../common/validation';
import { TransactionRunner } from '../persistence/transaction-runner';
import { StoreRepository } from '../stores/store.repository';
import { assertActivatable, assertStoresOfBrand } from './create-offer.usecase';
import { OfferBody, UpdateOfferBody } from './offer.dto';
import { transitionProblem } from './offer-lifecycle';
import { OfferRepository } from './offer.repository';
import { OfferView, offerColumns, toOfferBody, toOfferSnapshot, toOfferView } from './offer.view';

/**
 * PATCH an offer: status moves along the lifecycle (an invalid move is a 409 naming `status`),
 * the change is merged into the stored offer, checked as a whole, saved and published.
 */
@Injectable()
export class UpdateOffer {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly offers: OfferRepository,
    private readonly stores: StoreRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(brandId: string, id: string, patch: UpdateOfferBody): Promise<OfferView> {
    const offer = await this.tx.run(async (tx) => {
      const current = await this.offers.lockOfBrand(tx, brandId, id);
      if (!current) throw notFound('offer');
      const to = patch.status ?? current.status;
      const problem = transitionProblem(current.status, to) ?? (current.status === 'ended' ? 'the offer has ended; ended is final' : null);
      if (problem) throw new DomainError('CONFLICT', `status: ${problem}`, [{ field: 'status', message: problem }]);
      const merged = OfferBody.safeParse({ ...toOfferBody(current), ...patch });
      if (!merged.success) throw validationFailed('offer', merged.error);
      assertActivatable(merged.data, this.clock.now());
      // Paused because its last store was deleted: empty storeIds would now mean every store, so
      // activating it needs storeIds said again (an explicit [] does target every store).
      const reason = patch.storeIds ? null : current.statusReason;
      if (reason === 'stores_deleted' && to === 'active' && merged.data.storeIds.length === 0) {
        const message = 'every store this offer named was deleted: send storeIds with the activation ([] targets every store)';
        throw new DomainError('CONFLICT', `storeIds: ${message}`, [{ field: 'storeIds', message }]);
      }
      if (patch.storeIds) await assertStoresOfBrand(this.stores, tx, brandId, patch.storeIds);
      const saved = await this.offers.update(tx, current, offerColumns(merged.data, reason));
      await this.outbox.append(tx, [this.outbox.event(Topics.OfferCatalog, 'offer.upserted', toOfferSnapshot(saved))]);
      return saved;
    });
    this.outbox.flush();
    return toOfferView(offer);
  }
}
