import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CatalogRepository } from './catalog.repository';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class CatalogConsumer {
  constructor(private readonly catalog: CatalogRepository) {}

  @EventPattern(Topics.OfferCatalog)
  async onOffer(@Payload() value: unknown): Promise<void> {
    const event = parseEvent(Topics.OfferCatalog, value);
    if (event.type === 'offer.upserted') await this.catalog.upsertOffer(event.data);
    else await this.catalog.removeOffer(event.data.offerId, event.data.brandId, event.data.version);
  }

  @EventPattern(Topics.StoreCatalog)
  async onStore(@Payload() value: unknown): Promise<void> {
    const event = parseEvent(Topics.StoreCatalog, value);
    if (event.type === 'store.upserted') await this.catalog.upsertStore(event.data);
    else await this.catalog.removeStore(event.data.storeId, event.data.version);
  }

  @EventPattern(Topics.BrandCatalog)
  async onBrand(@Payload() value: unknown): Promise<void> {
    await this.catalog.upsertBrandSettings(parseEvent(Topics.BrandCatalog, value).data);
  }
}
