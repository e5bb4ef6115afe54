import { StackClient, http, northOf, stackUrls, waitFor, waitForProjections, daytimeZone } from '@app/testing';
import { createHmac, randomBytes } from 'node:crypto';
import { E2E } from '../setup/e2e-stack';

jest.setTimeout(90_000);

const urls = stackUrls(E2E.portBase);
const client = new StackClient(urls, E2E.adminToken);
const rivoli = { lat: 48.8606, lng: 2.3376 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the first promotion, end to end (real Kafka, Redis, Postgres, all six apps)', () => {
  const run = randomBytes(4).toString('hex');
  const pageId = `e2e${Date.now()}`;
  const appSecret = randomBytes(16).toString('hex');
  let apiKey = '';
  const title = `Café offert ${run}`;

  beforeAll(async () => {
    const brand = await client.createBrand(`E2E brand ${run}`);
    apiKey = brand.apiKey;
    await client.connectPage(apiKey, { pageId, accessToken: `EAAe2e${randomBytes(12).toString('hex')}`, appSecret, verifyToken: randomBytes(10).toString('hex') });
    const store = await client.createStore(apiKey, {
      name: 'Rivoli',
      location: rivoli,
      geofence: { type: 'circle', radiusM: 80 },
      timezone: daytimeZone(),
    });
    const offer = await client.createOffer(apiKey, {
      name: 'Coffee',
      storeIds: [store.id],
      message: { title },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      status: 'active',
    });
    await waitForProjections(E2E.redisUrl, [store.id], [offer.id]);
  });

  it('sends nothing 2 km away, exactly one promotion inside the fence, and nothing more on a second share inside', async () => {
    const psid = `walker${run}`;
    const t0 = Date.now();
    expect(await client.say(pageId, psid, 'hello', t0 - 120_000)).toBe(200);
    const far = northOf(rivoli.lat, rivoli.lng, 2000);
    expect(await client.shareLocation(pageId, psid, far.lat, far.lng, t0 - 90_000)).toBe(200);
    await sleep(1500);
    expect(await client.inbox(pageId, psid)).toHaveLength(0);

    const inside = northOf(rivoli.lat, rivoli.lng, 20);
    expect(await client.shareLocation(pageId, psid, inside.lat, inside.lng, t0)).toBe(200);
    const inbox = await waitFor('the promotion', async () => {
      const messages = await client.inbox(pageId, psid);
      return messages.length > 0 ? messages : null;
    });
    expect(inbox).toHaveLength(1);
    expect(inbox[0].body.message?.attachment?.payload?.elements?.[0].title).toBe(title);

    const stillInside = northOf(rivoli.lat, rivoli.lng, 25);
    expect(await client.shareLocation(pageId, psid, stillInside.lat, stillInside.lng, t0 + 30_000)).toBe(200);
    await sleep(2000);
    expect(await client.inbox(pageId, psid)).toHaveLength(1);
  });

  it('sends nothing to a shopper who said STOP', async () => {
    const psid = `stopper${run}`;
    const t0 = Date.now();
    expect(await client.say(pageId, psid, 'ARRÊT', t0 - 60_000)).toBe(200);
    await sleep(500);
    const inside = northOf(rivoli.lat, rivoli.lng, 10);
    expect(await client.shareLocation(pageId, psid, inside.lat, inside.lng, t0)).toBe(200);
    // A control shopper sharing at the same time does get the promotion, so the pipeline was live.
    const control = `control${run}`;
    expect(await client.say(pageId, control, 'salut', t0 - 60_000)).toBe(200);
    expect(await client.shareLocation(pageId, control, inside.lat, inside.lng, t0)).toBe(200);
    await waitFor('the control shopper’s promotion', async () => (await client.inbox(pageId, control)).length === 1);
    await sleep(1000);
    // Only the bot's confirmation of the opt-out, no promotion.
    const inbox = await client.inbox(pageId, psid);
    expect(inbox.filter((m) => m.body.message?.attachment)).toHaveLength(0);
    expect(inbox.map((m) => m.body.message?.text)).toEqual([expect.stringMatching(/plus de promos/)]);
  });

  it('refuses a webhook with a forged signature with 403', async () => {
    const body = JSON.stringify({
      object: 'page',
      entry: [{ id: pageId, time: Date.now(), messaging: [{ sender: { id: 'x' }, recipient: { id: pageId }, timestamp: Date.now(), message: { mid: `m_${run}`, text: 'hi' } }] }],
    });
    const forged = `sha256=${createHmac('sha256', 'not-the-app-secret').update(body).digest('hex')}`;
    const response = await fetch(`${urls.gateway}/webhooks/messenger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': forged },
      body,
    });
    expect(response.status).toBe(403);
    const valid = `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
    const accepted = await fetch(`${urls.gateway}/webhooks/messenger`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': valid },
      body,
    });
    expect(accepted.status).toBe(200);
  });

  it('answers bad brand input with JSON naming the field', async () => {
    const r = await http<{ statusCode: number; details: { field: string }[] }>('POST', `${urls.brandApi}/v1/stores`, {
      name: 'x', location: { lat: 123, lng: 2 }, geofence: { type: 'circle', radiusM: 5 }, timezone: 'Mars/Olympus',
    }, apiKey);
    expect(r.status).toBe(400);
    expect(r.body.details.map((d) => d.field).sort()).toEqual(['geofence.radiusM', 'location.lat', 'timezone']);
    expect((await http('POST', `${urls.brandApi}/v1/stores`, {}, 'wrong-key')).status).toBe(401);
  });
});
