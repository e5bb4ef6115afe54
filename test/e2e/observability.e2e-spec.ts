import { StackClient, http, northOf, stackUrls, waitFor, waitForProjections, daytimeZone } from '@app/testing';
import { Kafka, logLevel } from 'kafkajs';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { E2E } from '../setup/e2e-stack';

jest.setTimeout(90_000);

const urls = stackUrls(E2E.portBase);
const client = new StackClient(urls, E2E.adminToken);
const logsDir = join(__dirname, '..', '..', '.run', 'test', 'logs');
const stackEnv = join(__dirname, '..', '..', '.run', 'test', 'stack.env');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * What on-call engineers rely on, checked against the running stack: the W3C trace started at
 * the webhook reaches the Send API call through three Kafka hops; every app serves the metrics of
 * the dashboard; the JSON logs carry ids and trace ids but never the tokens, secrets, API key or
 * raw coordinates this test used.
 */
describe('observability, end to end (real Kafka, Redis, Postgres, all six apps)', () => {
  const run = randomBytes(4).toString('hex');
  const pageId = `obs${Date.now()}`;
  const page = {
    pageId,
    accessToken: `EAAobs${randomBytes(16).toString('hex')}`,
    appSecret: randomBytes(16).toString('hex'),
    verifyToken: randomBytes(12).toString('hex'),
  };
  // Coordinates with digits of their own, so finding them in a log cannot be a coincidence.
  const store = { lat: 48.8729 + Math.random() / 1000, lng: 2.2987 + Math.random() / 1000 };
  const jitter = () => Math.round(Math.random() * 1e6) / 1e11;
  const shares: { lat: number; lng: number }[] = [];
  let apiKey = '';
  let traced: { psid: string; traceId: string } | undefined;

  beforeAll(async () => {
    const brand = await client.createBrand(`Observability ${run}`);
    apiKey = brand.apiKey;
    await client.connectPage(apiKey, page);
    const created = await client.createStore(apiKey, {
      name: 'Étoile',
      location: store,
      geofence: { type: 'circle', radiusM: 80 },
      timezone: daytimeZone(),
    });
    const offer = await client.createOffer(apiKey, {
      name: 'Traced',
      storeIds: [created.id],
      message: { title: `Traced ${run}` },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      status: 'active',
    });
    await waitForProjections(E2E.redisUrl, [created.id], [offer.id]);
  });

  /** A shopper says hello (opens the window), then shares a location in a webhook we sign and trace. */
  async function tracedVisit(psid: string, traceId: string): Promise<string | undefined> {
    const t0 = Date.now();
    expect(await client.say(pageId, psid, 'bonjour', t0 - 60_000)).toBe(200);
    const inside = northOf(store.lat, store.lng, 15 + Math.random() * 10);
    const share = { lat: inside.lat + jitter(), lng: inside.lng + jitter() };
    shares.push(share);
    const location = {
      type: 'location',
      payload: { coordinates: { lat: share.lat, long: share.lng } },
    };
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: pageId,
          time: t0,
          messaging: [
            {
              sender: { id: psid },
              recipient: { id: pageId },
              timestamp: t0,
              message: { mid: `m_${psid}`, attachments: [location] },
            },
          ],
        },
      ],
    });
    const response = await fetch(`${urls.gateway}/webhooks/messenger`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': `sha256=${createHmac('sha256', page.appSecret).update(body).digest('hex')}`,
        traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      },
      body,
    });
    expect(response.status).toBe(200);
    const inbox = await waitFor('the traced promotion', async () => {
      const messages = await client.inbox(pageId, psid);
      return messages.length > 0 ? messages : null;
    });
    expect(inbox).toHaveLength(1);
    expect(inbox[0].traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    return inbox[0].traceparent;
  }

  it('carries the webhook’s trace context through Kafka to the Send API call', async () => {
    // webhook (our traceparent) → gateway → shopper.location.v1 → geofence →
    // geofence.transition.v1 → engine → promotion.send-request.v1 → delivery → Send API.
    // A probe reads the send requests published for our shopper, from the topic's current end.
    const psid = `traced${run}`;
    const traceId = randomBytes(16).toString('hex');
    const topic = 'promotion.send-request.v1';
    const kafka = new Kafka({
      clientId: `${E2E.groupPrefix}obs-probe`,
      brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    const groupId = `${E2E.groupPrefix}obs-probe-${run}`;
    const copies: { traceparent?: string }[] = [];
    await admin.connect();
    const probe = kafka.consumer({ groupId });
    try {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({
        groupId,
        topic,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
      await probe.connect();
      await probe.subscribe({ topic });
      await probe.run({
        eachMessage: async ({ message }) => {
          if (message.key?.toString() === `${pageId}:${psid}`)
            copies.push({ traceparent: message.headers?.traceparent?.toString() });
        },
      });
      const received = (await tracedVisit(psid, traceId)) ?? '';
      traced = { psid, traceId };

      // 1. The engine's send request continues the webhook's trace (gateway, geofence and
      //    engine each carried it across a Kafka hop).
      await waitFor('a send request in the webhook’s trace', async () =>
        copies.some((c) => c.traceparent?.startsWith(`00-${traceId}-`)),
      );
      // 2. Delivery calls the Send API inside the trace of the send request it handled: the
      //    traceparent the simulator received is the one of delivery's log line for that send.
      const sentIn = received.split('-')[1];
      const delivery = await waitFor('delivery’s log line', async () =>
        readFileSync(join(logsDir, 'messenger-delivery.log'), 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map(
            (l) =>
              JSON.parse(l) as {
                msg?: string;
                shopperId?: string;
                status?: string;
                traceId?: string;
              },
          )
          .find(
            (l) =>
              l.msg === 'delivery' && l.shopperId === `${pageId}:${psid}` && l.status === 'sent',
          ),
      );
      expect(delivery.traceId).toBe(sentIn);
      // 3. So the Send API call is in the webhook's trace, unless delivery handled another copy
      //    of the request first: other stacks sharing this broker consume our events too and
      //    republish them (same ids, no trace). On a broker of its own this is always our trace.
      const foreignCopies = copies.filter((c) => !c.traceparent?.startsWith(`00-${traceId}-`));
      expect(sentIn === traceId || foreignCopies.length > 0).toBe(true);
    } finally {
      await probe.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('serves the dashboard’s metrics on every app', async () => {
    const scrape = async (port: number) =>
      (await http<string>('GET', `http://127.0.0.1:${port}/metrics`)).body;
    const [brandApi, gateway, geofence, engine, delivery] = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => scrape(E2E.portBase + i)),
    );
    // Labelled by route pattern, never by raw path (ids), and counted even when a guard refused.
    expect(brandApi).toMatch(
      /http_server_requests_total\{[^}]*method="POST",route="\/v1\/stores",status="201"/,
    );
    expect(gateway).toMatch(
      /http_server_requests_total\{[^}]*method="POST",route="\/webhooks\/messenger",status="200"/,
    );
    expect(brandApi).not.toMatch(/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}/);
    for (const [text, group] of [
      [gateway, 'messenger-gateway'],
      [geofence, 'geofence'],
      [engine, 'promotion-engine'],
      [delivery, 'messenger-delivery'],
    ]) {
      expect(text).toMatch(
        new RegExp(
          `kafka_consumer_lag\\{[^}]*group="${E2E.groupPrefix}${group}"[^}]*partition="\\d+"[^}]*\\} \\d+`,
        ),
      );
      expect(text).toMatch(/kafka_events_consumed_total\{[^}]*outcome="processed"/);
    }
    // Every consumer counts its joins (at least the one at start), the batch and projection consumers too.
    const joined = (text: string, group: string) =>
      expect(text).toMatch(new RegExp(`kafka_consumer_group_joins_total\\{[^}]*group="${E2E.groupPrefix}${group}"[^}]*\\} [1-9]`));
    joined(gateway, 'messenger-gateway');
    joined(geofence, 'geofence');
    joined(geofence, 'geofence-locations');
    joined(geofence, 'geofence-catalog');
    joined(geofence, 'geofence-offers');
    joined(engine, 'promotion-engine');
    joined(delivery, 'messenger-delivery');
    joined(delivery, 'messenger-delivery-retry');
    expect(engine).toContain('promotion_decisions_total{');
    expect(delivery).toMatch(/messenger_sends_total\{status="sent"/);
    expect(delivery).toContain('send_api_latency_seconds_bucket{');
  });

  it('writes JSON logs with ids and trace ids, and never the secrets, API key or coordinates it was given', async () => {
    // Log lines are flushed asynchronously; give the apps a moment.
    await sleep(1000);
    const files = readdirSync(logsDir).filter((f) => f.endsWith('.log'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const logs = Object.fromEntries(files.map((f) => [f, readFileSync(join(logsDir, f), 'utf8')]));

    type Line = {
      msg?: string;
      shopperId?: string;
      traceId?: string;
      storeId?: string;
      requestId?: string;
      status?: string;
    };
    const lines = (file: string): Line[] =>
      logs[file]
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line);
    const shopperId = `${pageId}:${traced?.psid}`;
    // One line per decision, with the ids, inside a trace.
    const decision = lines('promotion-engine.log').find(
      (l) => l.msg === 'decision' && l.shopperId === shopperId,
    );
    expect(decision).toMatchObject({
      storeId: expect.any(String),
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });

    const secretKeys = existsSync(stackEnv)
      ? (/^SECRETS_KEYS=(.*)$/m.exec(readFileSync(stackEnv, 'utf8'))?.[1] ?? '')
          .split(',')
          .map((k) => k.split(':')[1])
          .filter(Boolean)
      : [];
    const forbidden: Record<string, string> = {
      'API key': apiKey,
      'Page access token': page.accessToken,
      'app secret': page.appSecret,
      'verify token': page.verifyToken,
      'admin token': E2E.adminToken,
      ...Object.fromEntries(secretKeys.map((k, i) => [`SECRETS_KEYS key ${i}`, k])),
    };
    for (const [i, s] of shares.entries()) {
      forbidden[`latitude of share ${i}`] = String(s.lat);
      forbidden[`longitude of share ${i}`] = String(s.lng);
      // Rounded to a metre still places the shopper (the share is ≥ 15 m from the store, so this
      // cannot be the store's own latitude).
      forbidden[`latitude of share ${i} to 5 decimals`] = s.lat.toFixed(5);
    }
    expect(Object.values(forbidden).every((v) => v.length >= 8)).toBe(true);
    const leaks: string[] = [];
    for (const [file, text] of Object.entries(logs))
      for (const [what, value] of Object.entries(forbidden))
        if (text.includes(value)) leaks.push(`${file}: ${what}`);
    expect(leaks).toEqual([]);
  });
});
