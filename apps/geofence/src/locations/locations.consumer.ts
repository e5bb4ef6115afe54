import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EvaluateLocation } from './evaluate-location.usecase';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class LocationsConsumer {
  constructor(private readonly evaluateLocation: EvaluateLocation) {}

  @EventPattern(Topics.ShopperLocation)
  async onLocation(@Payload() value: unknown): Promise<void> {
    await this.evaluateLocation.execute(parseEvent(Topics.ShopperLocation, value));
  }
}
