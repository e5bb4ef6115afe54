import type { DeliveryStatus } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';

/** A delivery or read receipt: Messenger's watermark for one shopper. */
export interface Receipt {
  shopperId: string;
  kind: 'delivery' | 'read';
  until: Date;
}

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
   * Records sends' outcomes: one statement for the rows, then one that applies the receipts and
   * clicks already recorded, each committed on its own. Each send (requestId) at most once per
   * call (ON CONFLICT DO UPDATE may touch a row once per statement: RecordDeliveryStatus cuts a
   * chunk into rounds). A redelivered or late status never undoes "sent".
   *
   * Why two statements: a receipt (another topic) may be written at the same moment. In one
   * statement each side reads a snapshot taken before the other committed, and both missed each
   * other (the stats e2e test saw delivered 0). The receipt side writes the watermark, then updates
   * the sends; this side writes the sends, then reads the watermarks: whichever second step starts
   * last sees the other's first step committed. Every statement that changes several sends
   * locks them in requestId order (a `FOR UPDATE` sorted subquery), so two of them never deadlock.
   */
  async recordStatuses(statuses: DeliveryStatus[]): Promise<void> {
    if (statuses.length === 0) return;
    const column = <K extends keyof DeliveryStatus>(k: K) => statuses.map((d) => d[k]);
    const requestIds = column('requestId');
    await this.dataSource.query(
      `INSERT INTO deliveries (request_id, brand_id, offer_id, store_id, shopper_id, status, reason, sent_at, outcome_at, updated_at)
       SELECT s.request_id, s.brand_id, s.offer_id, s.store_id, s.shopper_id, s.status, s.reason, s.sent_at, s.outcome_at, now()
       FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::timestamptz[])
              AS s(request_id, brand_id, offer_id, store_id, shopper_id, status, reason, sent_at, outcome_at)
       ORDER BY s.request_id
       ON CONFLICT (request_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
         sent_at = COALESCE(deliveries.sent_at, EXCLUDED.sent_at),
         outcome_at = EXCLUDED.outcome_at, updated_at = now()
       WHERE deliveries.status <> 'sent'`,
      [
        requestIds, column('brandId'), column('offerId'), column('storeId'), column('shopperId'), column('status'), column('reason'),
        statuses.map((d) => (d.status === 'sent' ? d.at : null)), column('at'),
      ],
    );
    await this.dataSource.query(
      `WITH locked AS (SELECT request_id FROM deliveries WHERE request_id = ANY($1::text[]) ORDER BY request_id FOR UPDATE)
       UPDATE deliveries d SET
         delivered_at = COALESCE(d.delivered_at, CASE WHEN GREATEST(r.delivered_until, r.read_until) >= d.sent_at - ${RECEIPT_SLACK}
           THEN GREATEST(d.sent_at, r.delivered_until, r.read_until) END),
         read_at = COALESCE(d.read_at, CASE WHEN r.read_until >= d.sent_at - ${RECEIPT_SLACK} THEN GREATEST(d.sent_at, r.read_until) END),
         clicked_at = COALESCE(d.clicked_at, c.clicked_at),
         updated_at = now()
       FROM locked l, deliveries x
         LEFT JOIN shopper_receipts r ON r.shopper_id = x.shopper_id AND x.status = 'sent'
         LEFT JOIN delivery_clicks c ON c.request_id = x.request_id
       WHERE d.request_id = l.request_id AND x.request_id = l.request_id
         AND ((r.shopper_id IS NOT NULL AND (d.delivered_at IS NULL OR d.read_at IS NULL)) OR (c.request_id IS NOT NULL AND d.clicked_at IS NULL))`,
      [requestIds],
    );
  }

  /**
   * Messenger's watermarks: every message sent to the shopper up to `until` was delivered (or
   * read; read implies delivered). Each shopper at most once per call (RecordShopperReceipt cuts a
   * chunk into rounds). Two statements for them all, committed one after the other: the
   * watermarks, then the sends they cover (recordStatuses says why not one).
   */
  async recordReceipts(receipts: Receipt[]): Promise<void> {
    if (receipts.length === 0) return;
    const params = [receipts.map((r) => r.shopperId), receipts.map((r) => r.until), receipts.map((r) => r.kind === 'read')];
    const input = `unnest($1::text[], $2::timestamptz[], $3::boolean[]) AS i(shopper_id, until, is_read)`;
    await this.dataSource.query(
      `INSERT INTO shopper_receipts (shopper_id, delivered_until, read_until, updated_at)
       SELECT shopper_id, CASE WHEN is_read THEN NULL ELSE until END, CASE WHEN is_read THEN until END, now() FROM ${input}
       ORDER BY shopper_id
       ON CONFLICT (shopper_id) DO UPDATE SET
         delivered_until = GREATEST(shopper_receipts.delivered_until, EXCLUDED.delivered_until),
         read_until = GREATEST(shopper_receipts.read_until, EXCLUDED.read_until), updated_at = now()`,
      params,
    );
    await this.dataSource.query(
      `WITH input AS (SELECT * FROM ${input}),
       locked AS (
         SELECT d.request_id FROM deliveries d JOIN input i ON d.shopper_id = i.shopper_id
         WHERE d.status = 'sent' AND d.sent_at <= i.until + ${RECEIPT_SLACK} AND (d.delivered_at IS NULL OR (i.is_read AND d.read_at IS NULL))
         ORDER BY d.request_id FOR UPDATE OF d
       )
       UPDATE deliveries d SET delivered_at = COALESCE(d.delivered_at, GREATEST(i.until, d.sent_at)),
         read_at = CASE WHEN i.is_read AND d.read_at IS NULL THEN GREATEST(i.until, d.sent_at) ELSE d.read_at END,
         updated_at = now()
       FROM locked l, input i
       WHERE d.request_id = l.request_id AND d.shopper_id = i.shopper_id AND d.status = 'sent' AND d.sent_at <= i.until + ${RECEIPT_SLACK}
         AND (d.delivered_at IS NULL OR (i.is_read AND d.read_at IS NULL))`,
      params,
    );
  }

  /**
   * The shopper opened the promotion's link (the gateway's click redirect carries the requestId).
   * The click is kept on its own too, written first and committed: the send's status (another
   * topic) may not have been consumed yet (recordStatuses applies it then).
   */
  async recordClick(shopperId: string, requestId: string, at: Date): Promise<void> {
    await this.dataSource.query(`INSERT INTO delivery_clicks (request_id, shopper_id, clicked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [requestId, shopperId, at]);
    await this.dataSource.query(`UPDATE deliveries SET clicked_at = $3, updated_at = now() WHERE request_id = $1 AND shopper_id = $2 AND clicked_at IS NULL`, [
      requestId,
      shopperId,
      at,
    ]);
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
