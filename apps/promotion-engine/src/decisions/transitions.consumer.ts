import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DecidePromotion } from './decide-promotion.usecase';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class TransitionsConsumer {
  constructor(private readonly decidePromotion: DecidePromotion) {}

  @EventPattern(Topics.GeofenceTransition)
  async onTransition(@Payload() value: unknown): Promise<void> {
    await this.decidePromotion.execute(parseEvent(Topics.GeofenceTransition, value));
  }
}
