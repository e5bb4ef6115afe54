import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 9 (the console's charts): when each send's outcome happened (`delivery.status.v1` `at`),
 * for sends that were never sent too (skipped, failed, expired), so an offer's funnel and skips
 * can be counted per hour or day. Rows recorded before this migration get their sent time or,
 * lacking one, the time the row was last written: the best this table knew.
 */
export class DeliveryOutcomeTime1764900000000 implements MigrationInterface {
  name = 'DeliveryOutcomeTime1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE deliveries ADD COLUMN IF NOT EXISTS outcome_at timestamptz`);
    await q.query(`UPDATE deliveries SET outcome_at = COALESCE(sent_at, updated_at) WHERE outcome_at IS NULL`);
    await q.query(`CREATE INDEX IF NOT EXISTS deliveries_offer_outcome ON deliveries (brand_id, offer_id, outcome_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS deliveries_offer_outcome`);
    await q.query(`ALTER TABLE deliveries DROP COLUMN IF EXISTS outcome_at`);
  }
}
