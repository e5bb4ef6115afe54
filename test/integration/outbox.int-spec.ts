import { Topics, parseCatalogRecord } from '@app/contracts';
import { waitFor } from '@app/testing';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppModule } from '../../apps/brand-api/src/app.module';
import { CreateBrand } from '../../apps/brand-api/src/brands/create-brand.usecase';
import { BrandApiEnv } from '../../apps/brand-api/src/env';
import { OutboxRelay } from '../../apps/brand-api/src/outbox/outbox-relay.service';
import { RepublishCatalog } from '../../apps/brand-api/src/outbox/republish-catalog.usecase';
import { CreateStore } from '../../apps/brand-api/src/stores/create-store.usecase';
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
});
