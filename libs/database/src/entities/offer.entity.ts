import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Audience, OfferMessage, OfferSnapshot, OfferStatus, OfferStatusReason, OfferVariant } from '@app/contracts';

@Entity('offers')
export class OfferEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'brand_id' })
  brandId!: string;

  @Column('text')
  name!: string;

  /** Empty: every store of the brand. */
  @Column('uuid', { name: 'store_ids', array: true, default: () => "'{}'" })
  storeIds!: string[];

  @Column('jsonb')
  message!: OfferMessage;

  @Column('jsonb', { default: () => "'{}'" })
  locales!: Record<string, OfferMessage>;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt!: Date;

  @Column('timestamptz', { name: 'ends_at' })
  endsAt!: Date;

  @Column('text')
  trigger!: 'enter' | 'dwell';

  @Column('int', { name: 'dwell_seconds', nullable: true })
  dwellSeconds!: number | null;

  @Column('jsonb', { default: () => "'{}'" })
  caps!: OfferSnapshot['caps'];

  @Column('int', { name: 'cooldown_minutes', nullable: true })
  cooldownMinutes!: number | null;

  @Column('int', { default: 0 })
  priority!: number;

  @Column('jsonb', { nullable: true })
  audience!: Audience | null;

  @Column('text')
  status!: OfferStatus;

  /** Set when the system changed the status (`stores_deleted`); cleared when the brand sets storeIds. */
  @Column('text', { name: 'status_reason', nullable: true })
  statusReason!: OfferStatusReason | null;

  /** A/B message variants (empty: the offer's own message only). */
  @Column('jsonb', { default: () => "'[]'" })
  variants!: OfferVariant[];

  /** Share of shoppers (0–1) held out as a control group by the engine. */
  @Column('double precision', { name: 'control_share', default: 0 })
  controlShare!: number;

  @Column('int')
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
