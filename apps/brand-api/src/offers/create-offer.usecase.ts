import { Topics } from '@app/contracts';
import { DomainError } from '@app/http';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner, Tx } from '../persistence/transaction-runner';
import { StoreRepository } from '../stores/store.repository';
import type { CreateOfferBody, OfferBody } from './offer.dto';
import { activationProblem } from './offer-lifecycle';
import { OfferRepository } from './offer.repository';
import { OfferView, offerColumns, toOfferSnapshot, toOfferView } from './offer.view';

/** storeIds must all be the brand's own; another brand's store is reported exactly like a missing one. */
export async function assertStoresOfBrand(stores: StoreRepository, tx: Tx, brandId: string, storeIds: string[]): Promise<void> {
  const unique = [...new Set(storeIds)];
  const owned = await stores.existingIdsOfBrand(brandId, unique, tx);
  const unknown = unique.filter((id) => !owned.has(id));
  if (unknown.length > 0) {
    throw new DomainError('VALIDATION_FAILED', `unknown store ids: ${unknown.slice(0, 20).join(', ')}`, [
      { field: 'storeIds', message: `no such store: ${unknown.slice(0, 20).join(', ')}` },
    ]);
  }
}

export function assertActivatable(offer: Pick<OfferBody, 'status' | 'endsAt'>, now: Date): void {
  const problem = activationProblem(offer.status, new Date(offer.endsAt), now);
  if (problem) throw new DomainError('VALIDATION_FAILED', problem, [{ field: 'endsAt', message: problem }]);
}

@Injectable()
export class CreateOffer {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly offers: OfferRepository,
    private readonly stores: StoreRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(brandId: string, body: CreateOfferBody): Promise<OfferView> {
    const whole: OfferBody = {
      ...body,
      storeIds: body.storeIds ?? [],
      locales: body.locales ?? {},
      dwellSeconds: body.dwellSeconds ?? null,
      caps: body.caps ?? {},
      cooldownMinutes: body.cooldownMinutes ?? null,
      audience: body.audience ?? null,
      variants: body.variants ?? [],
      controlShare: body.controlShare ?? 0,
    };
    assertActivatable(whole, this.clock.now());
    const offer = await this.tx.run(async (tx) => {
      await assertStoresOfBrand(this.stores, tx, brandId, whole.storeIds);
      const saved = await this.offers.insert(tx, { id: randomUUID(), brandId, version: 1, ...offerColumns(whole) });
      await this.outbox.append(tx, [this.outbox.event(Topics.OfferCatalog, 'offer.upserted', toOfferSnapshot(saved))]);
      return saved;
    });
    this.outbox.flush();
    return toOfferView(offer);
  }
}
