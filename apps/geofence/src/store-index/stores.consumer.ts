import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { StoreIndexRepository } from './store-index.repository';

/** Keeps the geofence index current from the compacted store catalog (rebuilt from offset 0). */
@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class StoresConsumer {
  constructor(private readonly index: StoreIndexRepository) {}

  @EventPattern(Topics.StoreCatalog)
  async onStore(@Payload() value: unknown): Promise<void> {
    const event = parseEvent(Topics.StoreCatalog, value);
    if (event.type === 'store.upserted') await this.index.upsert(event.data);
    else await this.index.remove(event.data.storeId, event.data.brandId, event.data.version);
  }
}
