import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SealedSecret } from '@app/contracts';

/** A brand's Messenger Page. Secrets are sealed (AES-256-GCM); the verify token only hashed. */
@Entity('channels')
export class ChannelEntity {
  @PrimaryColumn('uuid', { name: 'brand_id' })
  brandId!: string;

  @Column('text', { name: 'page_id', unique: true })
  pageId!: string;

  @Column('jsonb', { name: 'page_access_token' })
  pageAccessToken!: SealedSecret;

  @Column('jsonb', { name: 'app_secret' })
  appSecret!: SealedSecret;

  @Column('text', { name: 'verify_token_sha256' })
  verifyTokenSha256!: string;

  @Column('int')
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
