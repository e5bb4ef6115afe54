import { Topics } from '@app/contracts';
import { notFound } from '@app/http';
import { Injectable } from '@nestjs/common';
import { OutboxWriter } from '../outbox/outbox-writer';
import { validationFailed } from '../common/validation';
import { TransactionRunner } from '../persistence/transaction-runner';
import { externalIdTaken } from './create-store.usecase';
import { CreateStoreBody, UpdateStoreBody } from './store.dto';
import { StoreRepository } from './store.repository';
import { StoreWithWarnings, storeColumns, toStoreBody, toStoreSnapshot, storeWarnings, toStoreView } from './store.view';

/** PATCH a store: the change is merged into the stored store and the result checked as a whole. */
@Injectable()
export class UpdateStore {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly stores: StoreRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(brandId: string, id: string, patch: UpdateStoreBody): Promise<StoreWithWarnings> {
    const store = await this.tx.run(async (tx) => {
      const current = await this.stores.lockOfBrand(tx, brandId, id);
      if (!current) throw notFound('store');
      const merged = CreateStoreBody.safeParse({ ...toStoreBody(current), ...patch });
      if (!merged.success) throw validationFailed('store', merged.error);
      const externalId = merged.data.externalId;
      if (externalId && externalId !== current.externalId) {
        const other = await this.stores.findByExternalId(brandId, externalId, tx);
        if (other && other.id !== id) throw externalIdTaken(externalId);
      }
      const saved = await this.stores.update(tx, current, storeColumns(merged.data));
      await this.outbox.append(tx, [this.outbox.event(Topics.StoreCatalog, 'store.upserted', toStoreSnapshot(saved))]);
      return saved;
    });
    this.outbox.flush();
    return { ...toStoreView(store), warnings: storeWarnings(store) };
  }
}
