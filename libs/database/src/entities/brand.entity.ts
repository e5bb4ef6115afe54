import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity('brands')
export class BrandEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
