import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CatalogRepository } from './catalog.repository';

/** Offers and brand settings (a few events a day per brand); stores: store-catalog.consumer.ts. */
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

  @EventPattern(Topics.BrandCatalog)
  async onBrand(@Payload() value: unknown): Promise<void> {
    await this.catalog.upsertBrandSettings(parseEvent(Topics.BrandCatalog, value).data);
  }
}
