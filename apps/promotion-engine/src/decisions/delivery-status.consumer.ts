import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { SettleReservation } from './settle-reservation.usecase';

@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class DeliveryStatusConsumer {
  constructor(private readonly settleReservation: SettleReservation) {}

  @EventPattern(Topics.DeliveryStatus)
  async onStatus(@Payload() value: unknown): Promise<void> {
    await this.settleReservation.execute(parseEvent(Topics.DeliveryStatus, value).data);
  }
}
