import type { DeliveryStatus } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';

export interface OutcomeCount {
  status: string;
  reason: string | null;
  n: number;
  delivered: number;
  read: number;
  clicked: number;
}

/**
 * How much earlier than a send's reported time Meta may have accepted it: messenger-delivery
 * stamps `delivery.status.v1` after the Send API answered, while Messenger's receipt watermarks
 * count from the moment Meta took the message. A receipt whose watermark is this close before
 * the reported time covers the send. The Send API call's timeout (SEND_TIMEOUT_MS, 5 s) bounds
 * the gap; found by the console's browser test, where every real send stayed "not delivered".
 */
const RECEIPT_SLACK = `interval '5 seconds'`;

/**
 * Delivery records (one per requestId) and the shoppers' receipt watermarks, in Postgres. No
 * coordinates; the shopper id only links a send to later receipts and is cleared on erasure.
 */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records a send's outcome. A redelivered or late status never undoes "sent"; receipts that
   * arrived before the status (another topic, another partition) are applied from the watermarks.
   */
  async recordStatus(d: DeliveryStatus): Promise<void> {
    const sentAt = d.status === 'sent' ? d.at : null;
    await this.dataSource.query(
      `INSERT INTO deliveries (request_id, brand_id, offer_id, store_id, shopper_id, status, reason, sent_at, delivered_at, read_at, clicked_at, outcome_at, updated_at)
       SELECT $1, $2::uuid, $3, $4, $5, $6, $7, $8::timestamptz,
              CASE WHEN GREATEST(r.delivered_until, r.read_until) >= $8::timestamptz - ${RECEIPT_SLACK} THEN GREATEST($8::timestamptz, r.delivered_until, r.read_until) END,
              CASE WHEN r.read_until >= $8::timestamptz - ${RECEIPT_SLACK} THEN GREATEST($8::timestamptz, r.read_until) END,
              c.clicked_at,
              $9::timestamptz,
              now()
       FROM (SELECT 1) AS one LEFT JOIN shopper_receipts r ON r.shopper_id = $5
         LEFT JOIN delivery_clicks c ON c.request_id = $1
       ON CONFLICT (request_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
         sent_at = COALESCE(deliveries.sent_at, EXCLUDED.sent_at),
         outcome_at = EXCLUDED.outcome_at, updated_at = now()
       WHERE deliveries.status <> 'sent'`,
      [d.requestId, d.brandId, d.offerId, d.storeId, d.shopperId, d.status, d.reason, sentAt, d.at],
    );
  }

  /**
   * Messenger's watermark: every message sent to the shopper up to `until` was delivered (or read;
   * read implies delivered). One statement, so one round trip and atomic without a transaction
   * (it was BEGIN, three statements, COMMIT: five round trips for each receipt, two receipts per
   * promotion).
   */
  async recordReceipt(shopperId: string, kind: 'delivery' | 'read', until: Date): Promise<void> {
    const column = kind === 'delivery' ? 'delivered_until' : 'read_until';
    const read = kind === 'read';
    await this.dataSource.query(
      `WITH receipt AS (
         INSERT INTO shopper_receipts (shopper_id, ${column}, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (shopper_id) DO UPDATE SET ${column} = GREATEST(shopper_receipts.${column}, EXCLUDED.${column}), updated_at = now()
       )
       UPDATE deliveries SET delivered_at = COALESCE(delivered_at, GREATEST($2, sent_at)),
         read_at = CASE WHEN $3::boolean AND read_at IS NULL THEN GREATEST($2, sent_at) ELSE read_at END,
         updated_at = now()
       WHERE shopper_id = $1 AND status = 'sent' AND sent_at <= $2::timestamptz + ${RECEIPT_SLACK}
         AND (delivered_at IS NULL OR ($3::boolean AND read_at IS NULL))`,
      [shopperId, until, read],
    );
  }

  /**
   * The shopper opened the promotion's link (the gateway's click redirect carries the requestId).
   * The click is kept on its own too: the send's status (another topic) may not have been consumed
   * yet. One statement.
   */
  async recordClick(shopperId: string, requestId: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `WITH click AS (
         INSERT INTO delivery_clicks (request_id, shopper_id, clicked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING
       )
       UPDATE deliveries SET clicked_at = COALESCE(clicked_at, $3), updated_at = now() WHERE request_id = $1 AND shopper_id = $2`,
      [requestId, shopperId, at],
    );
  }

  async countsForOffer(brandId: string, offerId: string): Promise<OutcomeCount[]> {
    return this.dataSource.query(
      `SELECT status, reason, count(*)::int AS n, count(delivered_at)::int AS delivered,
              count(read_at)::int AS read, count(clicked_at)::int AS clicked
       FROM deliveries WHERE brand_id = $1 AND offer_id = $2 GROUP BY status, reason`,
      [brandId, offerId],
    );
  }

  /** Unlinks the shopper from every send (the counts stay, the person goes) and drops their receipts. */
  async eraseShopper(tx: Tx, shopperId: string): Promise<number> {
    const [, unlinked] = (await tx.query(`UPDATE deliveries SET shopper_id = NULL, updated_at = now() WHERE shopper_id = $1`, [
      shopperId,
    ])) as [unknown, number];
    await tx.query(`DELETE FROM shopper_receipts WHERE shopper_id = $1`, [shopperId]);
    await tx.query(`UPDATE delivery_clicks SET shopper_id = NULL WHERE shopper_id = $1`, [shopperId]);
    return unlinked;
  }
}
