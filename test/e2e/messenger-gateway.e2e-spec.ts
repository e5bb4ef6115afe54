import { Topics, parseEvent } from '@app/contracts';
import { KafkaProbe, StackClient, stackUrls, waitFor } from '@app/testing';
import fc from 'fast-check';
import { createHmac, randomBytes } from 'node:crypto';
import { E2E } from '../setup/e2e-stack';

import { TestPage, newBrandWithPage } from '../support/pages';

jest.setTimeout(180_000);

const urls = stackUrls(E2E.portBase);
const client = new StackClient(urls, E2E.adminToken);
const kafka = new KafkaProbe();
const webhookUrl = `${urls.gateway}/webhooks/messenger`;

const sign = (body: Buffer | string, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function post(body: Buffer | string, headers: Record<string, string>): Promise<number> {
  const r = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  await r.arrayBuffer();
  return r.status;
}

describe('messenger-gateway webhook over HTTP (real Kafka and Redis)', () => {
  let a: TestPage;
  let b: TestPage;
  const run = randomBytes(3).toString('hex');

  beforeAll(async () => {
    a = await newBrandWithPage(client, 'gwA');
    b = await newBrandWithPage(client, 'gwB');
  });
  afterAll(() => kafka.close());

  it('maps every event type, from several entries in one request, and ignores echoes', async () => {
    const interactions = await kafka.mark(Topics.ShopperInteraction);
    const locations = await kafka.mark(Topics.ShopperLocation);
    const t = Date.now();
    const from = (page: TestPage, extra: object, dt = 0) => ({ sender: { id: `shopper${run}` }, recipient: { id: page.pageId }, timestamp: t + dt, ...extra });
    const body = {
      object: 'page',
      entry: [
        {
          id: a.pageId,
          time: t,
          messaging: [
            from(a, { message: { mid: `m1${run}`, text: 'Désabonner' } }, 1),
            from(a, { message: { mid: `m2${run}`, text: 'oui', quick_reply: { payload: 'YES' } } }, 2),
            from(a, { message: { mid: `m3${run}`, attachments: [{ type: 'location', title: 'Pinned location', url: 'https://x', payload: { coordinates: { lat: 48.8566, long: 2.3522 } } }] } }, 3),
            from(a, { message: { mid: `m4${run}`, attachments: [{ type: 'image', payload: { url: 'https://x/i.png' } }] } }, 4),
            from(a, { postback: { title: 'Stop nearby deals', payload: 'STOP_DEALS', mid: `p1${run}` } }, 5),
            from(a, { delivery: { mids: ['x'], watermark: t } }, 6),
            from(a, { read: { watermark: t } }, 7),
            from(a, { optin: { type: 'notification_messages', notification_messages_status: 'RESUME_NOTIFICATIONS' } }, 8),
            from(a, { message: { mid: `m5${run}`, text: 'our own words', is_echo: true } }, 9),
          ],
        },
        { id: a.pageId, time: t, messaging: [from(a, { message: { mid: `m6${run}`, text: 'START' } }, 10)] },
      ],
    };
    const raw = JSON.stringify(body);
    expect(await post(raw, { 'x-hub-signature-256': sign(raw, a.appSecret) })).toBe(200);
    const mine = async () => (await kafka.readEventsSince(Topics.ShopperInteraction, interactions)).filter((e) => e.data.shopperId === `${a.pageId}:shopper${run}`);
    const events = await waitFor('the interactions', async () => {
      const found = await mine();
      return found.length >= 8 ? found : null;
    });
    expect(events.map((e) => [e.data.kind, e.data.command])).toEqual([
      ['text', 'stop'], ['quick_reply', null], ['attachment', null], ['postback', 'stop'],
      ['delivery', null], ['read', null], ['optin', 'start'], ['text', 'start'],
    ]);
    // The location is a location event only: the engine learns from its transition that it opened the window.
    const location = (await kafka.readEventsSince(Topics.ShopperLocation, locations)).find((e) => e.data.messageId === `m3${run}`);
    expect(location?.data).toMatchObject({ lat: 48.8566, lng: 2.3522, source: 'messenger', brandId: a.brandId });

    // Meta retries: the same webhook again publishes nothing new.
    expect(await post(raw, { 'x-hub-signature-256': sign(raw, a.appSecret) })).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await mine()).filter((e) => e.data.messageId !== null)).toHaveLength(5);
  });

  it('refuses the legacy sha1 signature alone, a wrong secret, another Page’s secret, and an oversized body', async () => {
    const raw = JSON.stringify({ object: 'page', entry: [{ id: a.pageId, time: 1, messaging: [{ sender: { id: 'x' }, recipient: { id: a.pageId }, timestamp: 1, message: { mid: `s${run}`, text: 'hi' } }] }] });
    const sha1 = `sha1=${createHmac('sha1', a.appSecret).update(raw).digest('hex')}`;
    expect(await post(raw, { 'x-hub-signature': sha1 })).toBe(403);
    expect(await post(raw, { 'x-hub-signature': sha1, 'x-hub-signature-256': sign(raw, 'wrong') })).toBe(403);
    expect(await post(raw, { 'x-hub-signature-256': sign(raw, b.appSecret) })).toBe(403);
    expect(await post(raw, { 'x-hub-signature': sha1, 'x-hub-signature-256': sign(raw, a.appSecret) })).toBe(200);
    const huge = JSON.stringify({ object: 'page', entry: [{ id: a.pageId, time: 1, messaging: [], pad: 'x'.repeat(1_100_000) }] });
    expect(await post(huge, { 'x-hub-signature-256': sign(huge, a.appSecret) })).toBe(413);
    expect(await post('{"object":"user","entry":[]}', {})).toBe(404);
  });

  it('survives fuzzing: random bodies, headers and signatures never get a 5xx, and only valid events reach Kafka', async () => {
    const marks = await Promise.all([kafka.mark(Topics.ShopperInteraction), kafka.mark(Topics.ShopperLocation)]);
    const event = fc.record(
      {
        sender: fc.oneof(fc.record({ id: fc.oneof(fc.constant(`fz${run}`), fc.string({ maxLength: 80 })) }), fc.jsonValue()),
        recipient: fc.oneof(fc.constant({ id: a.pageId }), fc.jsonValue()),
        timestamp: fc.oneof(fc.integer({ min: 0, max: 4e12 }), fc.double(), fc.jsonValue()),
        message: fc.oneof(
          fc.record({ mid: fc.string({ minLength: 1, maxLength: 30 }), text: fc.string({ maxLength: 300 }), attachments: fc.array(fc.record({ type: fc.constantFrom('location', 'file'), payload: fc.record({ coordinates: fc.record({ lat: fc.double(), long: fc.double() }) }) }), { maxLength: 2 }) }, { requiredKeys: ['mid'] }),
          fc.jsonValue(),
        ),
        postback: fc.record({ payload: fc.string({ maxLength: 300 }), mid: fc.string() }, { requiredKeys: [] }),
        read: fc.record({ watermark: fc.oneof(fc.integer(), fc.double()) }),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.array(event, { maxLength: 4 }).map((messaging) => JSON.stringify({ object: 'page', entry: [{ id: a.pageId, time: 1, messaging }] })),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 300 }),
    );
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1');
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, contentType, fc.integer({ min: 0, max: 3 }), async (raw, type, sigKind) => {
        const signature = [sign(raw, a.appSecret), sign(raw, 'forged'), `sha256=${'z'.repeat(64)}`, undefined][sigKind];
        const r = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': type, ...(signature ? { 'x-hub-signature-256': signature } : {}) }, body: raw });
        await r.arrayBuffer();
        if (r.status === 200) accepted += 1;
        expect(r.status).toBeLessThan(500);
      }),
      { numRuns: 400 },
    );
    expect(accepted).toBeGreaterThan(0);
    const [interactions, locations] = await Promise.all([
      kafka.readSince(Topics.ShopperInteraction, marks[0]),
      kafka.readSince(Topics.ShopperLocation, marks[1]),
    ]);
    for (const value of interactions) parseEvent(Topics.ShopperInteraction, value);
    for (const value of locations) parseEvent(Topics.ShopperLocation, value);
    // Still healthy afterwards.
    expect((await fetch(`${urls.gateway}/health`)).status).toBe(200);
  });
});
