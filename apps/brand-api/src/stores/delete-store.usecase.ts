import { OfferStatus, OfferStatusReason, Topics } from '@app/contracts';
import { OfferEntity } from '@app/database';
import { notFound } from '@app/http';
import { Outgoing } from '@app/kafka';
import { Injectable } from '@nestjs/common';
import { OfferRepository } from '../offers/offer.repository';
import { offerColumns, toOfferBody, toOfferSnapshot } from '../offers/offer.view';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { StoreRepository } from './store.repository';

/** An offer the deletion changed: the store left its storeIds (and, if it was the last, it was paused). */
export interface ChangedOffer {
  id: string;
  version: number;
  status: OfferStatus;
  statusReason: OfferStatusReason | null;
  storeIds: string[];
}

export interface StoreDeletion {
  id: string;
  deleted: true;
  offersChanged: ChangedOffer[];
}

/**
 * What deleting a store does to an offer that named it (pure). The store leaves its storeIds. An
 * offer left with none would silently widen to every store of the brand (empty means all), so it
 * is paused instead (a draft stays a draft) and marked `stores_deleted`; activating it again
 * needs storeIds said explicitly (UpdateOffer).
 */
export function withoutStore(offer: Pick<OfferEntity, 'storeIds' | 'status' | 'statusReason'>, storeId: string) {
  const storeIds = offer.storeIds.filter((id) => id !== storeId);
  if (storeIds.length > 0) return { storeIds, status: offer.status, statusReason: offer.statusReason };
  return { storeIds, status: offer.status === 'active' ? ('paused' as const) : offer.status, statusReason: 'stores_deleted' as const };
}

/**
 * Deletes a store and publishes its deletion (a tombstone on catalog.store.v1, the compacted
 * topic's last word: projections drop the store, and a rebuild from the topic never resurrects
 * it). In the same transaction the store leaves the storeIds of the brand's offers that named it
 * (ended offers are final and keep theirs), each changed offer getting a new version and its own
 * outbox event.
 */
@Injectable()
export class DeleteStore {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly stores: StoreRepository,
    private readonly offers: OfferRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(brandId: string, id: string): Promise<StoreDeletion> {
    const offersChanged = await this.tx.run(async (tx) => {
      // Offers first, then the store: an offer write locks its offer and then (key-share) its
      // stores, so taking them in the other order could deadlock with it.
      const naming = await this.offers.lockNamingStore(tx, brandId, id);
      const current = await this.stores.lockOfBrand(tx, brandId, id);
      if (!current) throw notFound('store');
      // An offer that started naming the store while we waited for the store's lock committed
      // before we got it (it held a key-share lock on the store): lock it too.
      const known = new Set(naming.map((o) => o.id));
      const late = (await this.offers.lockNamingStore(tx, brandId, id)).filter((o) => !known.has(o.id));
      const events: Outgoing[] = [];
      const changed: ChangedOffer[] = [];
      for (const offer of [...naming, ...late]) {
        const change = withoutStore(offer, id);
        const saved = await this.offers.update(tx, offer, { ...offerColumns(toOfferBody(offer), change.statusReason), ...change });
        events.push(this.outbox.event(Topics.OfferCatalog, 'offer.upserted', toOfferSnapshot(saved)));
        changed.push({ id: saved.id, version: saved.version, status: saved.status, statusReason: saved.statusReason, storeIds: saved.storeIds });
      }
      await this.stores.delete(tx, id);
      events.push(this.outbox.event(Topics.StoreCatalog, 'store.deleted', { storeId: id, brandId, version: current.version + 1 }));
      await this.outbox.append(tx, events);
      return changed;
    });
    this.outbox.flush();
    return { id, deleted: true, offersChanged };
  }
}
