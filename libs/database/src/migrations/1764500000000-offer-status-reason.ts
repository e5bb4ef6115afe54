import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why an offer's status is what it is when the system, not the brand, set it: `stores_deleted`
 * when the deletion of its last named store paused it (an empty storeIds would otherwise widen it
 * to every store of the brand).
 */
export class OfferStatusReason1764500000000 implements MigrationInterface {
  name = 'OfferStatusReason1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offers ADD COLUMN IF NOT EXISTS status_reason text`);
    // Finding the offers that name a store when it is deleted.
    await q.query(`CREATE INDEX IF NOT EXISTS offers_store_ids_idx ON offers USING gin (store_ids)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS offers_store_ids_idx`);
    await q.query(`ALTER TABLE offers DROP COLUMN IF EXISTS status_reason`);
  }
}
