import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One promotion send as brand-api's stats see it (delivery.status.v1 plus the shopper's delivery
 * and read receipts and link clicks). Keyed by requestId; no coordinates; `shopperId` is cleared
 * when the shopper is erased, so the counts survive without the person.
 */
@Entity('deliveries')
export class DeliveryEntity {
  @PrimaryColumn('text', { name: 'request_id' })
  requestId!: string;

  @Column('uuid', { name: 'brand_id' })
  brandId!: string;

  @Column('text', { name: 'offer_id' })
  offerId!: string;

  @Column('text', { name: 'store_id' })
  storeId!: string;

  @Column('text', { name: 'shopper_id', nullable: true })
  shopperId!: string | null;

  @Column('text')
  status!: string;

  @Column('text', { nullable: true })
  reason!: string | null;

  /** When the outcome (sent, skipped, failed, expired) happened: the status event's `at`. */
  @Column('timestamptz', { name: 'outcome_at', nullable: true })
  outcomeAt!: Date | null;

  @Column('timestamptz', { name: 'sent_at', nullable: true })
  sentAt!: Date | null;

  @Column('timestamptz', { name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column('timestamptz', { name: 'read_at', nullable: true })
  readAt!: Date | null;

  @Column('timestamptz', { name: 'clicked_at', nullable: true })
  clickedAt!: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}

/** A shopper's latest delivery and read watermarks, applied to sends reported after them. */
@Entity('shopper_receipts')
export class ShopperReceiptEntity {
  @PrimaryColumn('text', { name: 'shopper_id' })
  shopperId!: string;

  @Column('timestamptz', { name: 'delivered_until', nullable: true })
  deliveredUntil!: Date | null;

  @Column('timestamptz', { name: 'read_until', nullable: true })
  readUntil!: Date | null;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
