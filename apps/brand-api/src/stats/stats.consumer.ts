import { Topics, parseEvent } from '@app/contracts';
import { KafkaErrorPassthroughFilter } from '@app/kafka';
import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RecordDeliveryStatus, RecordShopperReceipt } from './record-delivery.usecase';

/** Feeds offer stats from delivery outcomes and shopper receipts. Invalid events go to `.dlq`. */
@Controller()
@UseFilters(KafkaErrorPassthroughFilter)
export class StatsConsumer {
  constructor(
    private readonly recordStatus: RecordDeliveryStatus,
    private readonly recordReceipt: RecordShopperReceipt,
  ) {}

  @EventPattern(Topics.DeliveryStatus)
  async onDeliveryStatus(@Payload() value: unknown): Promise<void> {
    await this.recordStatus.execute(parseEvent(Topics.DeliveryStatus, value).data);
  }

  @EventPattern(Topics.ShopperInteraction)
  async onInteraction(@Payload() value: unknown): Promise<void> {
    await this.recordReceipt.execute(parseEvent(Topics.ShopperInteraction, value).data);
  }
}
