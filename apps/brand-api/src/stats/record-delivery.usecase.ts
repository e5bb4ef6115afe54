import type { DeliveryStatus, ShopperInteraction } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { DeliveryRepository } from './delivery.repository';

/** delivery.status.v1 → the send's record. Idempotent (keyed by requestId). */
@Injectable()
export class RecordDeliveryStatus {
  constructor(private readonly deliveries: DeliveryRepository) {}

  execute(status: DeliveryStatus): Promise<void> {
    return this.deliveries.recordStatus(status);
  }
}

/**
 * shopper.interaction.v1 → receipts for the stats: delivery and read watermarks, and link clicks
 * (payload = the requestId). Every other kind of interaction is not brand-api's business.
 */
@Injectable()
export class RecordShopperReceipt {
  constructor(private readonly deliveries: DeliveryRepository) {}

  /** Whether the interaction is a receipt or a click at all (most are messages and postbacks). */
  static concerns(i: Pick<ShopperInteraction, 'kind' | 'payload'>): boolean {
    return i.kind === 'delivery' || i.kind === 'read' || (i.kind === 'click' && !!i.payload);
  }

  async execute(i: ShopperInteraction): Promise<void> {
    if (i.kind === 'delivery' || i.kind === 'read') {
      const until = i.watermark !== null ? new Date(i.watermark) : new Date(i.at);
      await this.deliveries.recordReceipt(i.shopperId, i.kind, until);
    } else if (i.kind === 'click' && i.payload) {
      await this.deliveries.recordClick(i.shopperId, i.payload, new Date(i.at));
    }
  }
}
