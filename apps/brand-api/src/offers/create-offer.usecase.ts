import { Topics } from '@app/contracts';
import { DomainError } from '@app/http';
import { EventPublisher } from '@app/kafka';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { OutboxRelay } from '../outbox/outbox-relay.service';
import { OutboxRepository } from '../outbox/outbox.repository';
import { TransactionRunner } from '../persistence/transaction-runner';
import { StoreRepository } from '../stores/store.repository';
import type { CreateOfferBody } from './offer.dto';
import { OfferRepository } from './offer.repository';
import { OfferView, toOfferSnapshot, toOfferView } from './offer.view';

@Injectable()
export class CreateOffer {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly offers: OfferRepository,
    private readonly stores: StoreRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly publisher: EventPublisher,
  ) {}

  async execute(brandId: string, body: CreateOfferBody): Promise<OfferView> {
    const storeIds = [...new Set(body.storeIds ?? [])];
    const offer = await this.tx.run(async (tx) => {
      const owned = await this.stores.existingIdsOfBrand(brandId, storeIds, tx);
      const unknown = storeIds.filter((id) => !owned.has(id));
      if (unknown.length > 0) {
        // Another brand's store is reported exactly like a missing one.
        throw new DomainError('VALIDATION_FAILED', `unknown store ids: ${unknown.join(', ')}`, [
          { field: 'storeIds', message: `no such store: ${unknown.join(', ')}` },
        ]);
      }
      const saved = await this.offers.insert(tx, {
        id: randomUUID(),
        brandId,
        name: body.name,
        storeIds,
        message: body.message,
        locales: body.locales ?? {},
        startsAt: new Date(body.startsAt),
        endsAt: new Date(body.endsAt),
        trigger: body.trigger,
        dwellSeconds: body.dwellSeconds ?? null,
        caps: body.caps ?? {},
        cooldownMinutes: body.cooldownMinutes ?? null,
        priority: body.priority,
        audience: body.audience ?? null,
        status: body.status,
        version: 1,
      });
      await this.outbox.append(tx, [this.publisher.build(Topics.OfferCatalog, 'offer.upserted', toOfferSnapshot(saved))]);
      return saved;
    });
    this.relay.wake();
    return toOfferView(offer);
  }
}
