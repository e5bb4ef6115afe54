import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE brands (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY,
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        prefix text NOT NULL,
        key_sha256 text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_brand ON api_keys (brand_id)`);
    await q.query(`
      CREATE TABLE channels (
        brand_id uuid PRIMARY KEY REFERENCES brands(id) ON DELETE CASCADE,
        page_id text NOT NULL UNIQUE,
        page_access_token jsonb NOT NULL,
        app_secret jsonb NOT NULL,
        verify_token_sha256 text NOT NULL,
        version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE stores (
        id uuid PRIMARY KEY,
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        external_id text,
        name text NOT NULL,
        lat double precision NOT NULL,
        lng double precision NOT NULL,
        geofence jsonb NOT NULL,
        timezone text NOT NULL,
        opening_hours text,
        tags text[] NOT NULL DEFAULT '{}',
        version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX stores_brand_external_id ON stores (brand_id, external_id) WHERE external_id IS NOT NULL`);
    await q.query(`CREATE INDEX stores_brand_id ON stores (brand_id, id)`);
    await q.query(`
      CREATE TABLE offers (
        id uuid PRIMARY KEY,
        brand_id uuid NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
        name text NOT NULL,
        store_ids uuid[] NOT NULL DEFAULT '{}',
        message jsonb NOT NULL,
        locales jsonb NOT NULL DEFAULT '{}',
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        trigger text NOT NULL,
        dwell_seconds int,
        caps jsonb NOT NULL DEFAULT '{}',
        cooldown_minutes int,
        priority int NOT NULL DEFAULT 0,
        audience jsonb,
        status text NOT NULL,
        version int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT offers_window CHECK (ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX offers_brand_id ON offers (brand_id, id)`);
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'offers', 'stores', 'channels', 'api_keys', 'brands']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
