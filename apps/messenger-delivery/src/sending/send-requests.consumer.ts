import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { DeliverPromotion } from './deliver-promotion.usecase';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class SendRequestsConsumer {
  constructor(private readonly deliverPromotion: DeliverPromotion) {}

  @EventPattern(Topics.PromotionSendRequest)
  async onSendRequest(@Payload() value: unknown): Promise<void> {
    await this.deliverPromotion.execute(parseEvent(Topics.PromotionSendRequest, value));
  }
}
