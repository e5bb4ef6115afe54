import { Topics } from '@app/contracts';
import { DomainError } from '@app/http';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import type { CreateStoreBody } from './store.dto';
import { StoreRepository } from './store.repository';
import { StoreWithWarnings, storeColumns, toStoreSnapshot, storeWarnings, toStoreView } from './store.view';

export function externalIdTaken(externalId: string): DomainError {
  return new DomainError('CONFLICT', `a store with externalId ${externalId} exists`, [
    { field: 'externalId', message: 'already used by another store of this brand' },
  ]);
}

@Injectable()
export class CreateStore {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly stores: StoreRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(brandId: string, body: CreateStoreBody): Promise<StoreWithWarnings> {
    const store = await this.tx.run(async (tx) => {
      if (body.externalId && (await this.stores.findByExternalId(brandId, body.externalId, tx))) {
        throw externalIdTaken(body.externalId);
      }
      const saved = await this.stores.insert(tx, { id: randomUUID(), brandId, version: 1, ...storeColumns(body) });
      await this.outbox.append(tx, [this.outbox.event(Topics.StoreCatalog, 'store.upserted', toStoreSnapshot(saved))]);
      return saved;
    });
    this.outbox.flush();
    return { ...toStoreView(store), warnings: storeWarnings(store) };
  }
}
