/**
 * The demo `make up` ends with: a brand, its Page registered on the Messenger simulator, three
 * Paris stores, an active offer, and a shopper who walks up to a store and gets the promotion.
 * Usage: node dist/scripts/demo.js   (ADMIN_TOKEN, PORT_BASE; in docker compose the apps are
 * reached by service name: DEMO_BRAND_API_URL, DEMO_GATEWAY_URL, DEMO_SIM_URL override the URLs)
 */
import { StackClient, http, northOf, stackUrls, waitFor, waitForBrandSettings, waitForProjections } from '@app/testing';
import { randomBytes } from 'node:crypto';

async function main(): Promise<void> {
  const local = stackUrls(Number(process.env.PORT_BASE ?? 3000));
  const urls = {
    brandApi: process.env.DEMO_BRAND_API_URL ?? local.brandApi,
    gateway: process.env.DEMO_GATEWAY_URL ?? local.gateway,
    sim: process.env.DEMO_SIM_URL ?? local.sim,
  };
  const client = new StackClient(urls, process.env.ADMIN_TOKEN ?? 'dev-admin-token');
  const run = randomBytes(3).toString('hex');
  const pageId = `demo${Date.now()}`;
  const psid = `shopper${run}`;

  const brand = await client.createBrand(`Demo Boulangeries ${run}`);
  await client.connectPage(brand.apiKey, {
    pageId,
    accessToken: `EAAdemo${randomBytes(16).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
    verifyToken: randomBytes(12).toString('hex'),
  });
  const stores = [
    { name: 'Rivoli', location: { lat: 48.8606, lng: 2.3376 } },
    { name: 'Marais', location: { lat: 48.8575, lng: 2.3622 } },
    { name: 'Montmartre', location: { lat: 48.8867, lng: 2.3431 } },
  ];
  const created = [];
  for (const s of stores) {
    created.push(
      await client.createStore(brand.apiKey, {
        ...s,
        externalId: `demo-${s.name.toLowerCase()}`,
        geofence: { type: 'circle', radiusM: 80 },
        timezone: 'Europe/Paris',
        // Open around the clock and no quiet hours (below): `make up` must show a promotion at any hour.
        openingHours: '24/7',
        tags: ['paris'],
      }),
    );
  }
  const settings = await http<{ version: number }>('PUT', `${urls.brandApi}/v1/settings`, { quietHours: null }, brand.apiKey);
  if (settings.status !== 200) throw new Error(`PUT /v1/settings answered ${settings.status}`);
  const offer = await client.createOffer(brand.apiKey, {
    name: 'Croissant offert',
    storeIds: [],
    message: { title: 'Un croissant offert pour un café acheté', subtitle: 'Aujourd’hui seulement', url: 'https://example.com/offres/croissant' },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: new Date(Date.now() + 7 * 24 * 3600_000).toISOString(),
    trigger: 'enter',
    status: 'active',
  });

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  // Usually well under a second. A consumer group new to a broker that already holds much (a dev
  // broker after `make bench`) first reads its topics from the beginning: that took about a minute
  // once, so the demo waits up to three.
  await waitForProjections(redisUrl, created.map((s) => s.id), [offer.id], 180_000);
  await waitForBrandSettings(redisUrl, brand.id, settings.body.version, 180_000);
  console.log(`brand ${brand.id}, Page ${pageId}, ${created.length} stores, 1 active offer`);
  const started = Date.now();
  await client.say(pageId, psid, 'Bonjour ! Des promos près de moi ?', started - 120_000);
  // A walk at a plausible pace (the geofence refuses jumps faster than 250 km/h): 2 km away two
  // minutes ago, then at the door now.
  const far = northOf(stores[0].location.lat, stores[0].location.lng, 2000);
  await client.shareLocation(pageId, psid, far.lat, far.lng, started - 90_000);
  console.log('shopper shared a location 2 km from Rivoli: nothing to send');
  const door = northOf(stores[0].location.lat, stores[0].location.lng, 20);
  await client.shareLocation(pageId, psid, door.lat, door.lng, started);
  // The bot first answers "promos près de moi" with the location-page button; the promotion is the
  // card (a generic template) that follows.
  const card = await waitFor('the promotion in the simulator inbox', async () => {
    const messages = await client.inbox(pageId, psid);
    return messages.map((m) => m.body.message?.attachment?.payload?.elements?.[0]).find((e) => e !== undefined);
  }, 30_000, 100);
  console.log(`shopper walked into Rivoli: ${Date.now() - started} ms later the simulator received "${card?.title}" (${card?.subtitle})`);
  console.log('');
  console.log(`Brand API        ${urls.brandApi}  (OpenAPI: ${urls.brandApi}/docs)`);
  console.log(`Webhook gateway  ${urls.gateway}/webhooks/messenger`);
  console.log(`Simulator inbox  ${urls.sim}/__sim/pages/${pageId}/shoppers/${psid}/inbox`);
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
