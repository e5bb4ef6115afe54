import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ShopperStateRepository } from './shopper-state.repository';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class InteractionsConsumer {
  constructor(private readonly shoppers: ShopperStateRepository) {}

  @EventPattern(Topics.ShopperInteraction)
  async onInteraction(@Payload() value: unknown): Promise<void> {
    await this.shoppers.record(parseEvent(Topics.ShopperInteraction, value).data);
  }
}
