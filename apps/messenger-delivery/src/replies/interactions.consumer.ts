import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SendReply } from './send-reply.usecase';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class InteractionsConsumer {
  constructor(private readonly sendReply: SendReply) {}

  @EventPattern(Topics.ShopperInteraction)
  async onInteraction(@Payload() value: unknown): Promise<void> {
    await this.sendReply.execute(parseEvent(Topics.ShopperInteraction, value));
  }
}
