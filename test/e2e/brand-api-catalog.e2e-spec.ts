import { Topic, Topics, createEvent, decisionLogKey, parseCatalogRecord } from '@app/contracts';
import { waitFor } from '@app/testing';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { E2E } from '../setup/e2e-stack';
import { TestBrand, api, call, newBrand, validOffer, validStore } from './brand-api.fixtures';

jest.setTimeout(400_000);

interface Store {
  id: string;
  version: number;
  name: string;
  externalId: string | null;
  tags: string[];
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Report {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: { index: number; externalId: string | null; errors: { field: string }[] }[];
}

const brokers = (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',');
const kafka = new Kafka({ clientId: `${E2E.groupPrefix}brand-api-e2e`, brokers, logLevel: logLevel.NOTHING });

/** Reads a topic from the beginning and collects the events that `match` (a real consumer). */
async function watch(topic: string, match: (key: string, event: { type: string; data: Record<string, unknown> }) => boolean) {
  const seen: { type: string; data: Record<string, unknown> }[] = [];
  const consumer = kafka.consumer({ groupId: `${E2E.groupPrefix}watch-${randomBytes(4).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      let event: { type: string; data: Record<string, unknown> } | null = null;
      try {
        // A deletion is a tombstone (value null, what it was in headers): read back as its event.
        event = parseCatalogRecord(topic as Topic, message) as unknown as typeof event;
      } catch {
        return; // other checkouts' tests put poison messages on shared topics
      }
      if (event && match(message.key?.toString() ?? '', event)) seen.push(event);
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

describe('brand API catalog, stats, decisions and erasure (real stack)', () => {
  const redis = new Redis(E2E.redisUrl);
  const producer = kafka.producer();
  let brand: TestBrand;

  beforeAll(async () => {
    brand = await newBrand('catalog');
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    redis.disconnect();
  });

  it('rotates API keys: a second key works, the first is revoked (401), the last cannot be', async () => {
    const own = await newBrand('keys', false);
    const second = await call<{ id: string; apiKey: string; prefix: string }>('POST', '/v1/keys', own.apiKey);
    expect(second.status).toBe(201);
    expect(second.body.apiKey.startsWith(second.body.prefix)).toBe(true);
    expect((await call('GET', '/v1/stores', second.body.apiKey)).status).toBe(200);
    const keys = (await call<{ items: { id: string; current: boolean }[] }>('GET', '/v1/keys', second.body.apiKey)).body.items;
    expect(keys).toHaveLength(2);
    expect(JSON.stringify(keys)).not.toContain(second.body.apiKey);
    const first = keys.find((k) => !k.current)!;
    expect((await call('DELETE', `/v1/keys/${first.id}`, second.body.apiKey)).status).toBe(204);
    expect((await call('GET', '/v1/stores', own.apiKey)).status).toBe(401);
    expect((await call('GET', '/v1/stores', second.body.apiKey)).status).toBe(200);
    const last = await call('DELETE', `/v1/keys/${second.body.id}`, second.body.apiKey);
    expect(last.status).toBe(409);
  });

  it('connects, shows (without secrets) and disconnects a Messenger channel', async () => {
    const own = await newBrand('channel', false);
    expect((await call('GET', '/v1/channels/messenger', own.apiKey)).status).toBe(404);
    const pageId = `pg${Date.now()}`;
    const secrets = { pageAccessToken: `EAAtok${randomBytes(8).toString('hex')}`, appSecret: `sec${randomBytes(8).toString('hex')}`, verifyToken: `ver${randomBytes(8).toString('hex')}` };
    const put = await call('PUT', '/v1/channels/messenger', own.apiKey, { pageId, ...secrets });
    expect(put.status).toBe(200);
    const got = await call<Record<string, unknown>>('GET', '/v1/channels/messenger', own.apiKey);
    expect(got.body).toMatchObject({ type: 'messenger', pageId, connected: true });
    for (const secret of Object.values(secrets)) expect(JSON.stringify([put.body, got.body])).not.toContain(secret);
    expect((await call('DELETE', '/v1/channels/messenger', own.apiKey)).status).toBe(204);
    expect((await call('GET', '/v1/channels/messenger', own.apiKey)).status).toBe(404);
    // The Page is free again: another brand may connect it.
    const other = await newBrand('channel 2', false);
    expect((await call('PUT', '/v1/channels/messenger', other.apiKey, { pageId, ...secrets })).status).toBe(200);
  });

  it('creates, reads, patches and deletes a store; the geofence index follows every change', async () => {
    const created = await call<Store>('POST', '/v1/stores', brand.apiKey, validStore({ externalId: 'crud-1' }));
    expect(created.status).toBe(201);
    const id = created.body.id;
    const indexed = async (version: number) => Number(await redis.hget(`store:{s:${id}}`, 'version')) >= version;
    await waitFor('the store in the geofence index', () => indexed(1));
    const patched = await call<Store>('PATCH', `/v1/stores/${id}`, brand.apiKey, { name: 'Rivoli 2', tags: ['paris', 'new'] });
    expect(patched.body).toMatchObject({ name: 'Rivoli 2', version: 2, tags: ['paris', 'new'] });
    await waitFor('version 2 in the index', () => indexed(2));
    expect((await call<Store>('GET', `/v1/stores/${id}`, brand.apiKey)).body.name).toBe('Rivoli 2');
    expect((await call('DELETE', `/v1/stores/${id}`, brand.apiKey)).status).toBe(200);
    expect((await call('GET', `/v1/stores/${id}`, brand.apiKey)).status).toBe(404);
    expect((await call('DELETE', `/v1/stores/${id}`, brand.apiKey)).status).toBe(404);
    // store.deleted went through the outbox and Kafka: the index dropped the store.
    await waitFor('the store gone from the index', async () => (await redis.hget(`store:{s:${id}}`, 'snapshot')) === null && (await indexed(3)));
  });

  it('pages through stores with a cursor and filters by tag and distance', async () => {
    const own = await newBrand('list', false);
    const stores = Array.from({ length: 7 }, (_, i) =>
      validStore({ externalId: `L${i}`, name: `S${i}`, tags: i % 2 ? ['odd'] : ['even'], location: { lat: 48.8606 + i * 0.01, lng: 2.3376 } }),
    );
    expect((await call<Report>('POST', '/v1/stores/bulk', own.apiKey, { stores })).body.created).toBe(7);
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page<Store> = (await call<Page<Store>>('GET', `/v1/stores?limit=3${cursor ? `&cursor=${cursor}` : ''}`, own.apiKey)).body;
      ids.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(7);
    const odd = (await call<Page<Store>>('GET', '/v1/stores?tag=odd', own.apiKey)).body.items;
    expect(odd.map((s) => s.name).sort()).toEqual(['S1', 'S3', 'S5']);
    // 0.01° of latitude is about 1,113 m: within 2,500 m of S0 are S0, S1 and S2.
    const near = (await call<Page<Store>>('GET', '/v1/stores?near=48.8606,2.3376,2500', own.apiKey)).body.items;
    expect(near.map((s) => s.name).sort()).toEqual(['S0', 'S1', 'S2']);
    const both = (await call<Page<Store>>('GET', '/v1/stores?near=48.8606,2.3376,2500&tag=even', own.apiKey)).body.items;
    expect(both.map((s) => s.name).sort()).toEqual(['S0', 'S2']);
  });

  it('imports 10,000 stores in one request, re-imports without duplicates, and reports what it rejected', async () => {
    const own = await newBrand('bulk', false);
    const stores = Array.from({ length: 10_000 }, (_, i) =>
      validStore({ externalId: `B${i}`, name: `Bulk ${i}`, location: { lat: 45 + (i % 100) * 0.001, lng: 4 + Math.floor(i / 100) * 0.001 } }),
    );
    const first = await call<Report>('POST', '/v1/stores/bulk', own.apiKey, { stores });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: 10_000, created: 10_000, updated: 0, unchanged: 0, rejected: [] });

    const again = [
      { ...stores[0], name: 'Bulk 0 renamed' },
      stores[1],
      validStore({ externalId: 'B-new' }),
      validStore({ externalId: 'B-bad', timezone: 'Mars/Olympus' }),
      { ...stores[2], name: 'twice' },
      { ...stores[2], name: 'twice again' },
      { name: 'no externalId' },
    ];
    const second = await call<Report>('POST', '/v1/stores/bulk', own.apiKey, { stores: again });
    expect(second.body).toMatchObject({ received: 7, created: 1, updated: 2, unchanged: 1 });
    expect(second.body.rejected.map((r) => [r.index, r.externalId, r.errors[0].field])).toEqual([
      [3, 'B-bad', 'timezone'],
      [5, 'B2', 'externalId'],
      [6, null, 'externalId'],
    ]);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Store> = (await call<Page<Store>>('GET', `/v1/stores?limit=500${cursor ? `&cursor=${cursor}` : ''}`, own.apiKey)).body;
      ids.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(10_001);
    // The geofence keeps one snapshot key per store (its cell-sharded GEO sets are its own business).
    const indexed = async () => {
      let n = 0;
      for (let i = 0; i < ids.length; i += 1000) n += await redis.exists(...ids.slice(i, i + 1000).map((id) => `store:{s:${id}}`));
      return n;
    };
    await waitFor('every store in the geofence index', async () => (await indexed()) === 10_001, 300_000, 1000);
  });

  it('moves offers along draft → active ⇄ paused → ended, and refuses other moves with 409 naming status', async () => {
    const offer = (await call<{ id: string; status: string; version: number }>('POST', '/v1/offers', brand.apiKey, validOffer())).body;
    expect(offer.status).toBe('draft');
    const move = (status: string) => call<Record<string, unknown>>('PATCH', `/v1/offers/${offer.id}`, brand.apiKey, { status });
    const refused = await move('paused');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ details: [{ field: 'status' }] });
    expect((await move('active')).body).toMatchObject({ status: 'active', version: 2 });
    expect((await move('paused')).body).toMatchObject({ status: 'paused', version: 3 });
    expect((await move('active')).status).toBe(200);
    const edit = await call<Record<string, unknown>>('PATCH', `/v1/offers/${offer.id}`, brand.apiKey, { message: { title: 'Nouveau titre' }, priority: 7 });
    expect(edit.body).toMatchObject({ message: { title: 'Nouveau titre' }, priority: 7, status: 'active' });
    expect((await move('ended')).body).toMatchObject({ status: 'ended' });
    expect((await move('active')).status).toBe(409);
    expect((await call('PATCH', `/v1/offers/${offer.id}`, brand.apiKey, { name: 'too late' })).status).toBe(409);
    const listed = (await call<Page<{ id: string }>>('GET', '/v1/offers?status=ended', brand.apiKey)).body.items.map((o) => o.id);
    expect(listed).toContain(offer.id);
    expect((await call('DELETE', `/v1/offers/${offer.id}`, brand.apiKey)).status).toBe(204);
    expect((await call('GET', `/v1/offers/${offer.id}`, brand.apiKey)).status).toBe(404);
  });

  it('publishes offer.deleted and store.deleted to the catalog topics as tombstones', async () => {
    const store = (await call<Store>('POST', '/v1/stores', brand.apiKey, validStore())).body;
    const offer = (await call<{ id: string }>('POST', '/v1/offers', brand.apiKey, validOffer({ storeIds: [store.id] }))).body;
    const offers = await watch(Topics.OfferCatalog, (key) => key === offer.id);
    const stores = await watch(Topics.StoreCatalog, (key) => key === store.id);
    try {
      await call('DELETE', `/v1/offers/${offer.id}`, brand.apiKey);
      await call('DELETE', `/v1/stores/${store.id}`, brand.apiKey);
      await waitFor('offer.deleted', async () => offers.seen.some((e) => e.type === 'offer.deleted'), 180_000);
      await waitFor('store.deleted', async () => stores.seen.some((e) => e.type === 'store.deleted'), 180_000);
      // In commit order per entity: the upsert (version 1), then the deletion (version 2).
      expect(offers.seen.map((e) => `${e.type}@${String(e.data.version)}`)).toEqual(['offer.upserted@1', 'offer.deleted@2']);
      expect(stores.seen.map((e) => `${e.type}@${String(e.data.version)}`)).toEqual(['store.upserted@1', 'store.deleted@2']);
    } finally {
      await offers.stop();
      await stores.stop();
    }
  });

  describe('a shopper of the brand’s Page', () => {
    const psid = `psid${randomBytes(4).toString('hex')}`;
    const shopperId = () => `${brand.pageId}:${psid}`;
    const ref = () => ({ shopperId: shopperId(), pageId: brand.pageId, psid, brandId: brand.id });
    let offerId = '';
    let storeId = '';
    const requestIds = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];

    beforeAll(async () => {
      storeId = (await call<Store>('POST', '/v1/stores', brand.apiKey, validStore())).body.id;
      offerId = (await call<{ id: string }>('POST', '/v1/offers', brand.apiKey, validOffer({ storeIds: [storeId], status: 'active' }))).body.id;
    });

    it('counts requested, sent, delivered, read, clicked, failed and skipped from Kafka', async () => {
      const sentAt = Date.now() - 60_000;
      const status = (requestId: string, s: 'sent' | 'failed' | 'skipped', reason: string | null) =>
        createEvent(Topics.DeliveryStatus, 'delivery.status-changed', {
          ...ref(), requestId, offerId, storeId, status: s, messageId: s === 'sent' ? `m_${requestId}` : null, reason, error: null, attempts: 1, at: new Date(sentAt).toISOString(),
        });
      const interaction = (kind: 'delivery' | 'read' | 'click', extra: { watermark?: number; payload?: string }) =>
        createEvent(Topics.ShopperInteraction, 'shopper.interacted', {
          ...ref(), kind, opensWindow: false, text: null, payload: extra.payload ?? null, command: null, messageId: null, watermark: extra.watermark ?? null,
          at: new Date().toISOString(), receivedAt: new Date().toISOString(),
        });
      const send = (topic: string, events: { data: unknown }[]) =>
        producer.send({ topic, acks: -1, messages: events.map((e) => ({ key: shopperId(), value: JSON.stringify(e) })) });
      await send(Topics.DeliveryStatus, [
        status(requestIds[0], 'sent', null),
        status(requestIds[1], 'sent', null),
        status(requestIds[2], 'skipped', 'outside_messaging_window'),
        status(requestIds[3], 'failed', 'token_invalid'),
        status(requestIds[0], 'sent', null), // a redelivery counts once
      ]);
      await send(Topics.ShopperInteraction, [
        interaction('delivery', { watermark: sentAt + 1000 }),
        interaction('read', { watermark: sentAt + 2000 }),
        interaction('click', { payload: requestIds[1] }),
        interaction('click', { payload: requestIds[1] }),
      ]);
      const expected = {
        offerId, requested: 4, sent: 2, delivered: 2, read: 2, clicked: 1, failed: 1, expired: 0, skipped: 1,
        skippedByReason: { outside_messaging_window: 1 }, failedByReason: { token_invalid: 1 },
      };
      let last: unknown = null;
      await waitFor('the stats', async () => {
        last = (await call('GET', `/v1/offers/${offerId}/stats`, brand.apiKey)).body;
        return JSON.stringify(last) === JSON.stringify(expected);
      }, 180_000).catch(() => expect(last).toEqual(expected));
    });

    it('serves the engine’s decision log for the brand’s shopper only', async () => {
      const entry = { visitId: randomUUID(), decidedAt: new Date().toISOString(), reason: 'outside_messaging_window', considered: [{ offerId, reason: 'eligible' }], request: null };
      await redis.lpush(decisionLogKey(brand.id, shopperId()), JSON.stringify(entry), '{"broken":true}');
      const r = await call<{ shopperId: string; decisions: unknown[] }>('GET', `/v1/decisions?shopperId=${encodeURIComponent(shopperId())}`, brand.apiKey);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ shopperId: shopperId(), decisions: [entry] });
      const unknownPage = await call('GET', `/v1/decisions?shopperId=${encodeURIComponent(`otherpage:${psid}`)}`, brand.apiKey);
      expect(unknownPage.status).toBe(404);
    });

    it('erases the shopper from Postgres and announces it on shopper.erasure.v1', async () => {
      const erasures = await watch(Topics.ShopperErasure, (key) => key === shopperId());
      try {
        const r = await call<{ deliveriesUnlinked: number }>('DELETE', `/v1/shoppers/${encodeURIComponent(shopperId())}`, brand.apiKey);
        expect(r.status).toBe(202);
        expect(r.body.deliveriesUnlinked).toBe(4);
        const rows = execFileSync('psql', [E2E.databaseUrl, '-tAc', `SELECT count(*) FROM deliveries WHERE shopper_id = '${shopperId()}'`]).toString().trim();
        const receipts = execFileSync('psql', [E2E.databaseUrl, '-tAc', `SELECT count(*) FROM shopper_receipts WHERE shopper_id = '${shopperId()}'`]).toString().trim();
        const clicks = execFileSync('psql', [E2E.databaseUrl, '-tAc', `SELECT count(*) FROM delivery_clicks WHERE shopper_id = '${shopperId()}'`]).toString().trim();
        expect([rows, receipts, clicks]).toEqual(['0', '0', '0']);
        await waitFor('shopper.erasure.v1', async () => erasures.seen.length > 0, 180_000);
        expect(erasures.seen[0]).toMatchObject({ type: 'shopper.erased', data: { shopperId: shopperId(), brandId: brand.id } });
        // The stats keep their counts without the person.
        expect((await call<{ sent: number }>('GET', `/v1/offers/${offerId}/stats`, brand.apiKey)).body.sent).toBe(2);
      } finally {
        await erasures.stop();
      }
    });
  });

  it('limits each API key (shared in Redis) and answers 429 with Retry-After', async () => {
    const own = await newBrand('rate', false);
    let limited: Response | null = null;
    for (let sent = 0; sent < 2_000 && !limited; sent += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => fetch(`${api}/v1/keys`, { headers: { authorization: `Bearer ${own.apiKey}` } })),
      );
      limited = answers.find((a) => a.status === 429) ?? null;
    }
    expect(limited).not.toBeNull();
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited!.json()).toMatchObject({ statusCode: 429 });
    // Another key is not affected.
    expect((await call('GET', '/v1/keys', brand.apiKey)).status).toBe(200);
  });

  it('documents every endpoint in OpenAPI at /docs, with examples', async () => {
    const doc = (await call<{ paths: Record<string, Record<string, { requestBody?: { content: Record<string, { examples?: object }> }; responses: Record<string, { content?: Record<string, { example?: unknown }> }> }>> }>('GET', '/docs/openapi.json')).body;
    const html = await fetch(`${api}/docs`);
    expect(html.status).toBe(200);
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    const brandOps = operations.filter((o) => o.path.startsWith('/v1/'));
    expect(brandOps.length).toBeGreaterThanOrEqual(21);
    for (const { path, method, op } of brandOps) {
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect([path, method, success.length > 0]).toEqual([path, method, true]);
      const hasExample = success.some(([status, r]) => status === '204' || r.content?.['application/json']?.example !== undefined);
      expect([path, method, hasExample]).toEqual([path, method, true]);
      if (['post', 'put', 'patch'].includes(method) && op.requestBody) {
        expect([path, method, Object.keys(op.requestBody.content['application/json'].examples ?? {}).length > 0]).toEqual([path, method, true]);
      }
    }
  });

  it('keeps no plaintext API key, Page token, app secret or verify token in a database dump', async () => {
    const other = await newBrand('dump');
    const second = (await call<{ apiKey: string }>('POST', '/v1/keys', other.apiKey)).body.apiKey;
    const dump = execFileSync('pg_dump', ['--data-only', E2E.databaseUrl], { maxBuffer: 1024 * 1024 * 1024 }).toString();
    expect(dump).toContain(other.id);
    for (const b of [brand, other]) {
      for (const secret of [b.apiKey, b.secrets.pageAccessToken, b.secrets.appSecret, b.secrets.verifyToken]) {
        expect(dump.includes(secret)).toBe(false);
      }
    }
    expect(dump.includes(second)).toBe(false);
  });
});
