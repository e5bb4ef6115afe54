import { Topics } from '@app/contracts';
import { notFound } from '@app/http';
import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { StoreRepository } from './store.repository';

/**
 * Deletes a store and publishes `store.deleted` with the next version, the compacted topic's last
 * word on it: projections drop the store, and a rebuild from the topic never resurrects it.
 * Offers that named the store keep its id; the engine skips stores it does not know.
 */
@Injectable()
export class DeleteStore {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly stores: StoreRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(brandId: string, id: string): Promise<void> {
    await this.tx.run(async (tx) => {
      const current = await this.stores.lockOfBrand(tx, brandId, id);
      if (!current) throw notFound('store');
      await this.stores.delete(tx, id);
      await this.outbox.append(tx, [
        this.outbox.event(Topics.StoreCatalog, 'store.deleted', { storeId: id, brandId, version: current.version + 1 }),
      ]);
    });
    this.outbox.flush();
  }
}
