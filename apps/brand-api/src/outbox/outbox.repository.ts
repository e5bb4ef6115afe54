import { AnyEvent, Topic, eventKey } from '@app/contracts';
import { OutboxEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';

export interface PendingEvent {
  id: string;
  topic: Topic;
  event: AnyEvent;
}

/** Advisory lock key of the relay ("outbox" in ASCII). */
const RELAY_LOCK = 0x6f7574626f78;

@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records events in the caller's transaction; they are published after it commits. */
  async append(tx: Tx, items: { topic: Topic; event: AnyEvent }[]): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `INSERT INTO ${tx.getRepository(OutboxEntity).metadata.tableName} (topic, message_key, event)
       SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])`,
      [items.map((i) => i.topic), items.map((i) => eventKey(i.topic, i.event)), items.map((i) => JSON.stringify(i.event))],
    );
  }

  /**
   * Claims the oldest unpublished events, lets `publish` send them, and marks them published in
   * the same transaction. If publishing fails, nothing is marked and the rows are claimed again
   * later. One relay drains at a time (a transaction-scoped advisory lock; the others find it
   * taken and return at once): with several replicas each taking its own batch (SKIP LOCKED
   * alone), a later version of an entity could reach Kafka before an earlier one, and compaction
   * would then keep the stale one. Per entity, outbox id order is commit order: each write locks
   * its entity's row before appending its event.
   */
  async drain(limit: number, publish: (events: PendingEvent[]) => Promise<void>): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = (await manager.query(`SELECT pg_try_advisory_xact_lock($1) AS mine`, [RELAY_LOCK])) as { mine: boolean }[];
      if (!lock.mine) return 0;
      const rows: { id: string; topic: Topic; event: AnyEvent }[] = await manager.query(
        `SELECT id, topic, event FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (rows.length === 0) return 0;
      await publish(rows.map((r) => ({ id: String(r.id), topic: r.topic, event: r.event })));
      await manager.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
        rows.map((r) => r.id),
      ]);
      return rows.length;
    });
  }

  /** Published events are kept a day for inspection, then removed. */
  async prune(olderThanHours = 24): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - make_interval(hours => $1)`,
      [olderThanHours],
    );
  }

  async pendingCount(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`);
    return (row as { n: number }).n;
  }
}
