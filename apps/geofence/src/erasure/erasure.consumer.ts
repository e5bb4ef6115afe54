import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EraseShopper } from './erase-shopper.usecase';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class ErasureConsumer {
  constructor(private readonly eraseShopper: EraseShopper) {}

  @EventPattern(Topics.ShopperErasure)
  async onErasure(@Payload() value: unknown): Promise<void> {
    await this.eraseShopper.execute(parseEvent(Topics.ShopperErasure, value));
  }
}
