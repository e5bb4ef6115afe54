import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RecordInteraction } from './record-interaction.usecase';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class InteractionsConsumer {
  constructor(private readonly recordInteraction: RecordInteraction) {}

  @EventPattern(Topics.ShopperInteraction)
  async onInteraction(@Payload() value: unknown): Promise<void> {
    await this.recordInteraction.execute(parseEvent(Topics.ShopperInteraction, value).data);
  }
}
