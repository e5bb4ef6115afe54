import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Geofence } from '@app/contracts';

@Entity('stores')
@Index('stores_brand_external_id', ['brandId', 'externalId'], { unique: true, where: 'external_id IS NOT NULL' })
export class StoreEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'brand_id' })
  brandId!: string;

  @Column('text', { name: 'external_id', nullable: true })
  externalId!: string | null;

  @Column('text')
  name!: string;

  @Column('double precision')
  lat!: number;

  @Column('double precision')
  lng!: number;

  @Column('jsonb')
  geofence!: Geofence;

  @Column('text')
  timezone!: string;

  @Column('text', { name: 'opening_hours', nullable: true })
  openingHours!: string | null;

  @Column('text', { array: true, default: () => "'{}'" })
  tags!: string[];

  /** ISO 3166-1 alpha-2 country, lower case; selects public holidays (PH) in opening hours. */
  @Column('text', { nullable: true })
  country!: string | null;

  @Column('int')
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
