import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ShopperStateRepository } from './shopper-state.repository';

/** shopper.tags.v1: the brand's tags for a shopper, kept with their state (the newest list wins). */
@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class ShopperTagsConsumer {
  constructor(private readonly shoppers: ShopperStateRepository) {}

  @EventPattern(Topics.ShopperTags)
  async onTags(@Payload() value: unknown): Promise<void> {
    const { brandId, shopperId, tags, setAt } = parseEvent(Topics.ShopperTags, value).data;
    await this.shoppers.setTags(brandId, shopperId, tags, Date.parse(setAt));
  }
}
