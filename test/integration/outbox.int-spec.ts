import { Topics, parseCatalogRecord } from '@app/contracts';
import { waitFor } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppModule } from '../../apps/brand-api/src/app.module';
import { CreateBrand } from '../../apps/brand-api/src/brands/create-brand.usecase';
import { BrandApiEnv } from '../../apps/brand-api/src/env';
import { OutboxRelay } from '../../apps/brand-api/src/outbox/outbox-relay.service';
import { RepublishCatalog } from '../../apps/brand-api/src/outbox/republish-catalog.usecase';
import { OutboxWriter } from '../../apps/brand-api/src/outbox/outbox-writer';
import { TransactionRunner } from '../../apps/brand-api/src/persistence/transaction-runner';
import { CreateStore } from '../../apps/brand-api/src/stores/create-store.usecase';
import { NewStore, StoreRepository } from '../../apps/brand-api/src/stores/store.repository';
import { toStoreSnapshot } from '../../apps/brand-api/src/stores/store.view';
import { INTEGRATION } from '../setup/integration-env';

jest.setTimeout(120_000);

const env = BrandApiEnv.parse({
  DATABASE_URL: INTEGRATION.databaseUrl,
  REDIS_URL: INTEGRATION.redisUrl,
  KAFKA_BROKERS: INTEGRATION.kafkaBrokers.join(','),
  KAFKA_GROUP_PREFIX: INTEGRATION.groupPrefix,
  ADMIN_TOKEN: 'integration-admin-token',
  SECRETS_KEYS: `int1:${randomBytes(32).toString('base64')}`,
  SECRETS_ACTIVE_KID: 'int1',
  LOG_LEVEL: 'warn',
  OUTBOX_POLL_MS: '100',
});

/** brand-api's whole module (real Postgres, Redis, Kafka), without the HTTP listener. */
const start = () => NestFactory.createApplicationContext(AppModule.forRoot(env), { logger: ['error'] });

describe('transactional outbox (real Postgres and Kafka)', () => {
  let app: INestApplicationContext | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('publishes, exactly once, an event committed while the relay was down, once a relay runs again', async () => {
    // 1. A brand-api whose relay is stopped (as if it crashed right after the commit).
    app = await start();
    await app.get(OutboxRelay).beforeApplicationShutdown();
    const brand = await app.get(CreateBrand).execute({ name: `outbox ${randomBytes(3).toString('hex')}` });
    const store = await app.get(CreateStore).execute(brand.id, {
      name: 'Crash test',
      location: { lat: 48.8606, lng: 2.3376 },
      geofence: { type: 'circle', radiusM: 80 },
      timezone: 'Europe/Paris',
    });
    const pending = async () =>
      (
        (await app!.get(DataSource).query(`SELECT count(*)::int AS n FROM outbox WHERE message_key = $1 AND published_at IS NULL`, [store.id])) as {
          n: number;
        }[]
      )[0].n;
    expect(await pending()).toBe(1);
    await app.close();
    app = null;

    // 2. Nothing reached Kafka; a fresh consumer reads the topic from the beginning.
    const kafka = new Kafka({ clientId: 'outbox-int', brokers: INTEGRATION.kafkaBrokers, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${INTEGRATION.groupPrefix}outbox-${randomBytes(4).toString('hex')}` });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: Topics.StoreCatalog, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== store.id) return;
        const event = parseCatalogRecord(Topics.StoreCatalog, message);
        seen.push(`${event.type}@${event.data.version}`);
      },
    });
    try {
      // 3. brand-api starts again: its relay finds the committed event and publishes it.
      app = await start();
      await waitFor('the event on Kafka', async () => seen.length > 0, 60_000);
      await waitFor('the outbox row marked published', async () => (await pending()) === 0, 20_000);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(seen).toEqual(['store.upserted@1']);

      // 4. Republishing the catalog (to rebuild projections) sends the same version once more.
      const report = await app.get(RepublishCatalog).execute();
      expect(report.stores).toBeGreaterThanOrEqual(1);
      await waitFor('the republished snapshot', async () => seen.length === 2, 60_000);
      expect(seen).toEqual(['store.upserted@1', 'store.upserted@1']);
    } finally {
      await consumer.disconnect();
    }
  });

  it('publishes a backlog far larger than one produce request: 150 stores with 2,000-vertex fences', async () => {
    // Once refused whole by the broker (message.max.bytes), the relay retried it for ever.
    app = await start();
    await app.get(OutboxRelay).beforeApplicationShutdown();
    const brand = await app.get(CreateBrand).execute({ name: `outbox big ${randomBytes(3).toString('hex')}` });
    const fence = (lng: number): [number, number][] => {
      const positions = Array.from({ length: 1_999 }, (_, i): [number, number] => [lng + 0.001 * Math.cos((2 * Math.PI * i) / 1_999), 48.86 + 0.001 * Math.sin((2 * Math.PI * i) / 1_999)]);
      return [...positions, positions[0]];
    };
    // Written as a bulk import writes its batch (store rows and their events in one transaction),
    // without its turf checks, which are not what this test is about.
    const stores: NewStore[] = Array.from({ length: 150 }, (_, i) => ({
      id: randomUUID(),
      brandId: brand.id,
      version: 1,
      externalId: `big-${i}`,
      name: `Detailed ${i}`,
      lat: 48.86,
      lng: 2 + i * 0.01,
      geofence: { type: 'polygon', coordinates: [fence(2 + i * 0.01)] },
      timezone: 'Europe/Paris',
      openingHours: null,
      tags: [],
      country: null,
    }));
    const writer = app.get(OutboxWriter);
    await app.get(TransactionRunner).run(async (tx) => {
      const rows = await app!.get(StoreRepository).upsertByExternalId(tx, brand.id, stores);
      await writer.append(tx, rows.map(({ store }) => writer.event(Topics.StoreCatalog, 'store.upserted', toStoreSnapshot(store))));
    });
    const pending = async () =>
      ((await app!.get(DataSource).query(`SELECT count(*)::int AS n, coalesce(sum(octet_length(event::text)), 0)::bigint AS bytes FROM outbox WHERE message_key = ANY($1) AND published_at IS NULL`, [stores.map((s) => s.id)])) as { n: number; bytes: string }[])[0];
    const backlog = await pending();
    expect(backlog.n).toBe(150);
    expect(Number(backlog.bytes)).toBeGreaterThan(5 * 1024 * 1024);
    await app.close();
    app = null;

    app = await start();
    await waitFor('the detailed stores published', async () => (await pending()).n === 0, 90_000);
  });
});
