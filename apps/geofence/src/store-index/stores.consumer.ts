import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ApplyStoreEvent } from './apply-store-event.usecase';

/** Keeps the geofence index current from the compacted store catalog (the rebuild is IndexRebuilder's). */
@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class StoresConsumer {
  constructor(private readonly applyStoreEvent: ApplyStoreEvent) {}

  @EventPattern(Topics.StoreCatalog)
  async onStore(@Payload() value: unknown): Promise<void> {
    await this.applyStoreEvent.execute(parseEvent(Topics.StoreCatalog, value));
  }
}
