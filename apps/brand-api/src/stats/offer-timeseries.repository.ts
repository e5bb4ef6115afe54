import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { BucketCount, TimeWindow } from './offer-timeseries';

/** Reads an offer's send records (`deliveries`) counted per hour or day; no shopper data. */
@Injectable()
export class OfferTimeseriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async countsByBucket(brandId: string, offerId: string, storeId: string | null, window: TimeWindow): Promise<BucketCount[]> {
    // Every later event of a send (delivered, read, clicked) happens after its outcome, so rows
    // whose outcome is past the window cannot count in it (uses deliveries_offer_outcome).
    const rows: { bucket: Date; kind: string; reason: string | null; n: number }[] = await this.dataSource.query(
      `WITH d AS (
         SELECT status, reason, outcome_at, sent_at, delivered_at, read_at, clicked_at FROM deliveries
         WHERE brand_id = $1 AND offer_id = $2 AND ($3::text IS NULL OR store_id = $3) AND outcome_at < $5
       ), e AS (
         SELECT 'requested' AS kind, NULL::text AS reason, outcome_at AS at FROM d
         UNION ALL SELECT status, reason, outcome_at FROM d WHERE status <> 'sent'
         UNION ALL SELECT 'sent', NULL, sent_at FROM d WHERE sent_at IS NOT NULL
         UNION ALL SELECT 'delivered', NULL, delivered_at FROM d WHERE delivered_at IS NOT NULL
         UNION ALL SELECT 'read', NULL, read_at FROM d WHERE read_at IS NOT NULL
         UNION ALL SELECT 'clicked', NULL, clicked_at FROM d WHERE clicked_at IS NOT NULL
       )
       SELECT date_trunc($6, at, 'UTC') AS bucket, kind, reason, count(*)::int AS n
       FROM e WHERE at >= $4 AND at < $5 GROUP BY 1, 2, 3`,
      [brandId, offerId, storeId, window.from, window.to, window.bucket],
    );
    return rows.map((r) => ({ bucket: new Date(r.bucket), kind: r.kind, reason: r.reason, n: r.n }));
  }
}
