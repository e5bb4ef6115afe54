import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Brand API, issue 3: a store's country (public holidays in opening hours), indexes for the store
 * list's filters, and the delivery records behind offer stats. Delivery records are keyed by the
 * send's requestId and hold no coordinates; erasure unlinks them from the shopper.
 */
export class BrandApiCatalogAndStats1764300000000 implements MigrationInterface {
  name = 'BrandApiCatalogAndStats1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE stores ADD COLUMN IF NOT EXISTS country text`);
    await q.query(`CREATE INDEX IF NOT EXISTS stores_tags ON stores USING gin (tags)`);
    await q.query(`CREATE INDEX IF NOT EXISTS stores_brand_lat ON stores (brand_id, lat)`);
    // Channel versions are compared per Page by the projections, and a Page can move between
    // brands or be disconnected and reconnected: one sequence keeps every Page's versions rising.
    await q.query(`CREATE SEQUENCE IF NOT EXISTS channel_version_seq START WITH 1000`);
    await q.query(`
      CREATE TABLE deliveries (
        request_id text PRIMARY KEY,
        brand_id uuid NOT NULL,
        offer_id text NOT NULL,
        store_id text NOT NULL,
        shopper_id text,
        status text NOT NULL,
        reason text,
        sent_at timestamptz,
        delivered_at timestamptz,
        read_at timestamptz,
        clicked_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX deliveries_offer ON deliveries (brand_id, offer_id)`);
    await q.query(`CREATE INDEX deliveries_shopper_sent ON deliveries (shopper_id, sent_at) WHERE shopper_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE shopper_receipts (
        shopper_id text PRIMARY KEY,
        delivered_until timestamptz,
        read_until timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Clicks are consumed from another topic than the send's status and may come first.
    await q.query(`
      CREATE TABLE delivery_clicks (
        request_id text PRIMARY KEY,
        shopper_id text,
        clicked_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX delivery_clicks_shopper ON delivery_clicks (shopper_id) WHERE shopper_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS delivery_clicks`);
    await q.query(`DROP TABLE IF EXISTS shopper_receipts`);
    await q.query(`DROP TABLE IF EXISTS deliveries`);
    await q.query(`DROP SEQUENCE IF EXISTS channel_version_seq`);
    await q.query(`DROP INDEX IF EXISTS stores_brand_lat`);
    await q.query(`DROP INDEX IF EXISTS stores_tags`);
    await q.query(`ALTER TABLE stores DROP COLUMN IF EXISTS country`);
  }
}
