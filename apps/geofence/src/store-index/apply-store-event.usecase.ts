import { EventOf, Topics } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { StoreIndexRepository } from './store-index.repository';

/** Files a store snapshot in the index, or removes a deleted store; older versions are ignored. */
@Injectable()
export class ApplyStoreEvent {
  constructor(private readonly index: StoreIndexRepository) {}

  async execute(event: EventOf<typeof Topics.StoreCatalog>): Promise<void> {
    if (event.type === 'store.upserted') await this.index.upsert(event.data);
    else await this.index.remove(event.data.storeId, event.data.version);
  }
}
