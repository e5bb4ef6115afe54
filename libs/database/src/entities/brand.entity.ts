import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('brands')
export class BrandEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** Quiet hours in the shopper's zone; null with quietHoursSet: none; not set: the engine's default. */
  @Column('jsonb', { name: 'quiet_hours', nullable: true })
  quietHours!: { start: string; end: string } | null;

  @Column('boolean', { name: 'quiet_hours_set', default: false })
  quietHoursSet!: boolean;

  /** Version of the settings published on catalog.brand.v1 (0: never set). */
  @Column('int', { name: 'settings_version', default: 0 })
  settingsVersion!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
