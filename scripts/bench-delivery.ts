/**
 * Delivery throughput for one Page against a running stack (default rate 250/s): opens the
 * windows of N shoppers on the simulator, produces N send requests straight to Kafka and reports
 * the sends per second the simulator saw, the busiest second, and rate-limit refusals.
 * Usage: node dist/scripts/bench-delivery.js [N]   (PORT_BASE, ADMIN_TOKEN, KAFKA_BROKERS)
 */
import { KafkaProbe, StackClient, http, stackUrls, waitFor } from '@app/testing';
import { randomBytes, randomUUID } from 'node:crypto';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 3000);
  const urls = stackUrls(Number(process.env.PORT_BASE ?? 3000));
  const client = new StackClient(urls, process.env.ADMIN_TOKEN ?? 'dev-admin-token');
  const kafka = new KafkaProbe();
  const brand = await client.createBrand(`Bench ${randomBytes(3).toString('hex')}`);
  const pageId = `bench${Date.now()}`;
  await client.connectPage(brand.apiKey, { pageId, accessToken: `EAA${randomBytes(16).toString('hex')}`, appSecret: randomBytes(16).toString('hex'), verifyToken: randomBytes(8).toString('hex') });
  const psids = Array.from({ length: n }, (_, i) => `b${i}`);
  for (const psid of psids) await http('PUT', `${urls.sim}/__sim/pages/${pageId}/shoppers/${psid}`, { lastInteractionAt: Date.now() });
  // Meta's own limit, so that any excess shows as 613 refusals.
  await http('PUT', `${urls.sim}/__sim/faults`, { rateLimitPerSecond: 300 });
  const now = new Date();
  await kafka.produceSendRequests(
    psids.map((psid) => ({
      shopperId: `${pageId}:${psid}`, pageId, psid, brandId: brand.id, requestId: randomUUID(), offerId: 'bench', storeId: 'bench',
      visitId: randomUUID(), storeName: 'Bench', distanceM: 10, locale: 'fr', variant: 'default', message: { title: 'Bench offer' },
      decidedAt: now.toISOString(), expiresAt: new Date(now.getTime() + 600_000).toISOString(),
    })),
  );
  const sends = await waitFor(
    `${n} sends`,
    async () => {
      const r = await http<{ sends: { receivedAt: string }[] }>('GET', `${urls.sim}/__sim/pages/${pageId}/sends`);
      return r.body.sends.length >= n ? r.body.sends : null;
    },
    600_000,
    500,
  );
  const times = sends.map((s) => Date.parse(s.receivedAt)).sort((a, b) => a - b);
  const spanS = (times[times.length - 1] - times[0]) / 1000;
  const stats = (await http<{ peakCallsPerSecondByPage: Record<string, number>; rejectedByCode: Record<string, number> }>('GET', `${urls.sim}/__sim/stats`)).body;
  await http('PUT', `${urls.sim}/__sim/faults`, {});
  await kafka.close();
  console.log(
    `[bench-delivery] ${n} promotions to one Page: ${(n / spanS).toFixed(1)} sends/s over ${spanS.toFixed(1)} s; ` +
      `busiest second ${stats.peakCallsPerSecondByPage[pageId]} calls; 613 refusals so far ${stats.rejectedByCode['613'] ?? 0}`,
  );
}

main().catch((error: unknown) => {
  console.error('[bench-delivery] failed:', error);
  process.exit(1);
});
