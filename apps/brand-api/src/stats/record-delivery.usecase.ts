import type { DeliveryStatus, ShopperInteraction } from '@app/contracts';
import { inOrderPerKey, roundsByKey } from '@app/kafka';
import { Injectable } from '@nestjs/common';
import { DeliveryRepository, Receipt } from './delivery.repository';

/** delivery.status.v1 → the send's record. Idempotent (keyed by requestId). */
@Injectable()
export class RecordDeliveryStatus {
  constructor(private readonly deliveries: DeliveryRepository) {}

  /**
   * A chunk of statuses, in their order: one statement per round (a send's statuses one per
   * round, so a later one is applied after an earlier one, as one at a time would).
   */
  async executeMany(statuses: DeliveryStatus[]): Promise<void> {
    for (const round of roundsByKey(statuses, (s) => s.requestId)) await this.deliveries.recordStatuses(round);
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

  /**
   * A chunk's receipts and clicks, each shopper's in their order: the watermarks in one statement
   * per round (a shopper at most once per round), the clicks (rare) one by one beside them.
   */
  async executeMany(interactions: ShopperInteraction[]): Promise<void> {
    const receipts: Receipt[] = [];
    const clicks: ShopperInteraction[] = [];
    for (const i of interactions) {
      if (i.kind === 'delivery' || i.kind === 'read') receipts.push({ shopperId: i.shopperId, kind: i.kind, until: i.watermark !== null ? new Date(i.watermark) : new Date(i.at) });
      else if (i.kind === 'click' && i.payload) clicks.push(i);
    }
    const writeReceipts = async () => {
      for (const round of roundsByKey(receipts, (r) => r.shopperId)) await this.deliveries.recordReceipts(round);
    };
    await Promise.all([
      writeReceipts(),
      inOrderPerKey(clicks, (c) => c.shopperId, (c) => this.deliveries.recordClick(c.shopperId, c.payload!, new Date(c.at))),
    ]);
  }
}
