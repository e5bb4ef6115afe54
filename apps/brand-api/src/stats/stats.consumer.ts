import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RecordDeliveryStatus } from './record-delivery.usecase';

/** Feeds offer stats from delivery outcomes (receipts: receipts.consumer.ts). Invalid events go to `.dlq`. */
@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class StatsConsumer {
  constructor(
    private readonly recordStatus: RecordDeliveryStatus,
  ) {}

  @EventPattern(Topics.DeliveryStatus)
  async onDeliveryStatus(@Payload() value: unknown): Promise<void> {
    await this.recordStatus.execute(parseEvent(Topics.DeliveryStatus, value).data);
  }
}
