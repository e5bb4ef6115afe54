import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The transactional outbox: an event is written in the same transaction as the change it
 * describes, and the relay publishes it to Kafka afterwards, so the catalog in Postgres and the
 * catalog topics never disagree for long and no change is lost between them.
 */
@Entity('outbox')
export class OutboxEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column('text')
  topic!: string;

  @Column('text', { name: 'message_key' })
  messageKey!: string;

  @Column('jsonb')
  event!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'published_at', nullable: true })
  publishedAt!: Date | null;
}
