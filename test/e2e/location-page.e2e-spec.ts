import { StackClient, http, northOf, stackUrls, waitFor, waitForProjections, daytimeZone } from '@app/testing';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser } from 'playwright-core';
import { E2E } from '../setup/e2e-stack';
import { TestPage, newBrandWithPage } from '../support/pages';

jest.setTimeout(240_000);

const urls = stackUrls(E2E.portBase);
const client = new StackClient(urls, E2E.adminToken);
const rivoli = { lat: 48.8606, lng: 2.3376 };

type Message = { text?: string; attachment?: { payload?: { template_type?: string; buttons?: { url?: string; title: string }[]; elements?: { title: string }[] } } };

async function messages(page: TestPage, psid: string): Promise<Message[]> {
  return (await client.inbox(page.pageId, psid)).map((m) => m.body.message as unknown as Message);
}

describe('the location-sharing page in real headless Chromium, end to end', () => {
  let page: TestPage;
  let browser: Browser;
  const zone = daytimeZone();
  const title = `Croissant offert ${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    page = await newBrandWithPage(client, 'browser');
    // The page reports the browser's time zone; store and browser sit where it is daytime now, so
    // default quiet hours never skip the promotion whatever the hour the suite runs at.
    const store = await client.createStore(page.apiKey, { name: 'Rivoli', location: rivoli, geofence: { type: 'circle', radiusM: 80 }, timezone: zone });
    const offer = await client.createOffer(page.apiKey, {
      name: 'Croissant', storeIds: [store.id], message: { title, url: 'https://example.com/croissant' },
      startsAt: new Date(Date.now() - 60_000).toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), status: 'active',
    });
    // Generous: the previous suite may have left the workers a backlog of receipts to chew through.
    await waitForProjections(E2E.redisUrl, [store.id], [offer.id], 90_000);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('"promos près de moi" → button → page shares the browser position → the promotion lands in Messenger', async () => {
    const psid = `walker${randomBytes(3).toString('hex')}`;
    expect(await client.say(page.pageId, psid, 'promos près de moi')).toBe(200);
    const reply = await waitFor('the bot’s location button', async () => (await messages(page, psid)).find((m) => m.attachment?.payload?.template_type === 'button'), 60_000);
    const button = reply.attachment!.payload!.buttons![0];
    expect(button.title).toBe('Partager ma position');

    const inside = northOf(rivoli.lat, rivoli.lng, 15);
    const context = await browser.newContext({ geolocation: { latitude: inside.lat, longitude: inside.lng, accuracy: 12 }, permissions: ['geolocation'], locale: 'fr-FR', timezoneId: zone });
    try {
      const tab = await context.newPage();
      await tab.goto(button.url!);
      await tab.waitForSelector('#status[data-state="sent"]', { timeout: 30_000 });
      expect(await tab.textContent('#status')).toContain('Position envoyée (précision ± 12 m)');

      const promotion = await waitFor('the promotion in the simulator’s inbox', async () =>
        (await messages(page, psid)).find((m) => m.attachment?.payload?.template_type === 'generic'),
      60_000);
      expect(promotion.attachment!.payload!.elements![0].title).toBe(title);
    } finally {
      await context.close();
    }
  });

  it('refuses a forged or expired link, and tells the shopper in English', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    try {
      const tab = await context.newPage();
      const response = await tab.goto(`${urls.gateway}/share-location?t=forged.token`);
      expect(response?.status()).toBe(403);
      expect(await tab.textContent('#status')).toContain('This link has expired');
    } finally {
      await context.close();
    }
    const post = await http('POST', `${urls.gateway}/share-location/fixes`, { t: 'forged.token', lat: 48.86, lng: 2.33, accuracyM: 5 });
    expect(post.status).toBe(403);
  });

  it('takes fixes from a brand’s own app with its API key (POST /v1/locations), with the same validation', async () => {
    const psid = `app${randomBytes(3).toString('hex')}`;
    expect(await client.say(page.pageId, psid, 'bonjour')).toBe(200);
    const inside = northOf(rivoli.lat, rivoli.lng, 10);
    const fix = { shopperId: `${page.pageId}:${psid}`, lat: inside.lat, lng: inside.lng, accuracyM: 8 };
    expect((await http('POST', `${urls.gateway}/v1/locations`, fix)).status).toBe(401);
    expect((await http('POST', `${urls.gateway}/v1/locations`, fix, 'lp_live_not-a-key')).status).toBe(401);
    const other = await client.createBrand(`other ${randomBytes(3).toString('hex')}`);
    // The gateway learns a new brand's key from catalog.api-key.v1 (401 until then).
    await waitFor('the other brand’s key to reach the gateway', async () => (await http('POST', `${urls.gateway}/v1/locations`, fix, other.apiKey)).status !== 401, 60_000);
    expect((await http('POST', `${urls.gateway}/v1/locations`, fix, other.apiKey)).status).toBe(403);
    const bad = await http<{ details: { field: string }[] }>('POST', `${urls.gateway}/v1/locations`, { ...fix, lat: 123, shopperId: 'nope' }, page.apiKey);
    expect(bad.status).toBe(400);
    expect(bad.body.details.map((d) => d.field).sort()).toEqual(['lat', 'shopperId']);
    expect((await http('POST', `${urls.gateway}/v1/locations`, fix, page.apiKey)).status).toBe(202);
    const promotion = await waitFor('the promotion', async () => (await messages(page, psid)).find((m) => m.attachment?.payload?.template_type === 'generic'), 60_000);
    expect(promotion.attachment!.payload!.elements![0].title).toBe(title);
  });
});
