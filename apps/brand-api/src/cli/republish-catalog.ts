/**
 * Republishes the whole catalog (stores, offers, channels) to the compacted catalog topics, to
 * rebuild projections. Usage: `make republish-catalog` or
 * `node dist/apps/brand-api/src/cli/republish-catalog.js` with brand-api's environment
 * (DATABASE_URL, KAFKA_BROKERS, SECRETS_*). Exits once every event it queued left the outbox.
 */
import { loadEnv } from '@app/config';
import { NestFactory } from '@nestjs/core';
import { randomBytes } from 'node:crypto';
import { AppModule } from '../app.module';
import { BrandApiEnv } from '../env';
import { OutboxRepository } from '../outbox/outbox.repository';
import { RepublishCatalog } from '../outbox/republish-catalog.usecase';

async function main(): Promise<void> {
  // The command serves no HTTP: the operator token is not needed, a throwaway one satisfies the schema.
  const env = loadEnv(BrandApiEnv, { ADMIN_TOKEN: randomBytes(24).toString('hex'), ...process.env });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(env), { logger: ['error', 'warn'] });
  try {
    const report = await app.get(RepublishCatalog).execute();
    const outbox = app.get(OutboxRepository);
    const deadline = Date.now() + 10 * 60_000;
    while ((await outbox.pendingCount()) > 0) {
      if (Date.now() > deadline) throw new Error('the outbox did not drain within 10 minutes (is Kafka up?)');
      await new Promise((r) => setTimeout(r, 200));
    }
    process.stdout.write(`[republish-catalog] published ${report.stores} stores, ${report.offers} offers, ${report.channels} channels\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  console.error(`[republish-catalog] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
