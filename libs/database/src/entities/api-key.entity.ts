import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A brand's API key, kept only as a SHA-256 hash (the key itself has 256 random bits). */
@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'brand_id' })
  brandId!: string;

  /** The key's first characters, to tell keys apart in listings without revealing them. */
  @Column('text')
  prefix!: string;

  @Column('text', { name: 'key_sha256', unique: true })
  keySha256!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}
