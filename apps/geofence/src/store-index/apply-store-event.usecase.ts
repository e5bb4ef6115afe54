import { EventOf, Topics } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { StoreChange, StoreIndexRepository } from './store-index.repository';

type StoreEvent = EventOf<typeof Topics.StoreCatalog>;

/** Files store snapshots in the index, or removes deleted stores; older versions are ignored. */
@Injectable()
export class ApplyStoreEvent {
  constructor(private readonly index: StoreIndexRepository) {}

  async execute(event: StoreEvent): Promise<void> {
    await this.executeBatch([event]);
  }

  /** A chunk of one partition's events, in order, in two Redis round trips (StoreIndexRepository.applyBatch). */
  async executeBatch(events: StoreEvent[]): Promise<void> {
    await this.index.applyBatch(
      events.map((e): StoreChange =>
        e.type === 'store.upserted' ? { kind: 'upsert', store: e.data } : { kind: 'remove', storeId: e.data.storeId, version: e.data.version },
      ),
    );
  }
}
