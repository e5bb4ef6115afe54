import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Offers' A/B message variants and control share (decided by the promotion engine), and brands'
 * settings published on catalog.brand.v1 (quiet hours).
 */
export class OfferExperimentsAndBrandSettings1764400000000 implements MigrationInterface {
  name = 'OfferExperimentsAndBrandSettings1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offers ADD COLUMN IF NOT EXISTS variants jsonb NOT NULL DEFAULT '[]'`);
    await q.query(`ALTER TABLE offers ADD COLUMN IF NOT EXISTS control_share double precision NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE brands ADD COLUMN IF NOT EXISTS quiet_hours jsonb`);
    await q.query(`ALTER TABLE brands ADD COLUMN IF NOT EXISTS quiet_hours_set boolean NOT NULL DEFAULT false`);
    await q.query(`ALTER TABLE brands ADD COLUMN IF NOT EXISTS settings_version int NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offers DROP COLUMN IF EXISTS variants, DROP COLUMN IF EXISTS control_share`);
    await q.query(`ALTER TABLE brands DROP COLUMN IF EXISTS quiet_hours, DROP COLUMN IF EXISTS quiet_hours_set, DROP COLUMN IF EXISTS settings_version`);
  }
}
