import { E2E } from '../setup/e2e-stack';
import { TestBrand, call, newBrand, validOffer, validStore } from './brand-api.fixtures';

jest.setTimeout(90_000);

/**
 * Tenant isolation over every brand endpoint: brand B can neither read, list, change, delete nor
 * target brand A's resources (always 404 or a refusal that reveals nothing), and no endpoint
 * answers without a valid key.
 */
describe('brand API tenant isolation (real stack)', () => {
  let a: TestBrand;
  let b: TestBrand;
  let storeA: { id: string; version: number };
  let offerA: { id: string; version: number };
  let keyA: { id: string };

  beforeAll(async () => {
    [a, b] = await Promise.all([newBrand('tenant A'), newBrand('tenant B')]);
    storeA = (await call<{ id: string; version: number }>('POST', '/v1/stores', a.apiKey, validStore({ externalId: 'A-1' }))).body;
    offerA = (await call<{ id: string; version: number }>('POST', '/v1/offers', a.apiKey, validOffer({ storeIds: [storeA.id] }))).body;
    keyA = (await call<{ items: { id: string }[] }>('GET', '/v1/keys', a.apiKey)).body.items[0];
  });

  const shopperA = () => `${a.pageId}:psid1`;

  const matrix: [string, string, () => string, (() => unknown) | null][] = [
    ['GET', 'a store', () => `/v1/stores/${storeA.id}`, null],
    ['PATCH', 'a store', () => `/v1/stores/${storeA.id}`, () => ({ name: 'hijacked' })],
    ['DELETE', 'a store', () => `/v1/stores/${storeA.id}`, null],
    ['GET', 'an offer', () => `/v1/offers/${offerA.id}`, null],
    ['PATCH', 'an offer', () => `/v1/offers/${offerA.id}`, () => ({ status: 'ended' })],
    ['DELETE', 'an offer', () => `/v1/offers/${offerA.id}`, null],
    ['GET', 'an offer’s stats', () => `/v1/offers/${offerA.id}/stats`, null],
    ['GET', 'an offer’s stats over time', () => `/v1/offers/${offerA.id}/stats/timeseries?bucket=day`, null],
    ['GET', 'a shopper’s decisions', () => `/v1/decisions?shopperId=${encodeURIComponent(shopperA())}`, null],
    ['DELETE', 'a shopper', () => `/v1/shoppers/${encodeURIComponent(shopperA())}`, null],
    ['DELETE', 'an API key', () => `/v1/keys/${keyA.id}`, null],
  ];

  it.each(matrix)('brand B gets 404 for %s on %s of brand A', async (method, _what, path, body) => {
    const r = await call(method, path(), b.apiKey, body ? body() : undefined);
    expect(r.status).toBe(404);
    expect(JSON.stringify(r.body)).not.toContain(a.id);
  });

  it('leaves brand A’s resources untouched', async () => {
    const store = await call<{ version: number; name: string }>('GET', `/v1/stores/${storeA.id}`, a.apiKey);
    expect(store.status).toBe(200);
    expect(store.body).toMatchObject({ version: storeA.version, name: 'Rivoli' });
    const offer = await call<{ version: number; status: string }>('GET', `/v1/offers/${offerA.id}`, a.apiKey);
    expect(offer.body).toMatchObject({ version: offerA.version, status: 'draft' });
    expect((await call('GET', '/v1/keys', a.apiKey)).status).toBe(200);
  });

  it('never lists brand A’s stores or offers to brand B', async () => {
    const stores = await call<{ items: { id: string }[] }>('GET', '/v1/stores?limit=500', b.apiKey);
    const offers = await call<{ items: { id: string }[] }>('GET', '/v1/offers?limit=500', b.apiKey);
    expect(stores.body.items.map((s) => s.id)).not.toContain(storeA.id);
    expect(offers.body.items.map((o) => o.id)).not.toContain(offerA.id);
    const near = await call<{ items: unknown[] }>('GET', '/v1/stores?near=48.8606,2.3376,500', b.apiKey);
    expect(near.body.items).toEqual([]);
    const keys = await call<{ items: { id: string }[] }>('GET', '/v1/keys', b.apiKey);
    expect(keys.body.items.map((k) => k.id)).not.toContain(keyA.id);
  });

  it('does not let brand B target brand A’s stores with an offer (reported like a missing store)', async () => {
    const r = await call('POST', '/v1/offers', b.apiKey, validOffer({ storeIds: [storeA.id] }));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ details: [{ field: 'storeIds' }] });
    const own = (await call<{ id: string }>('POST', '/v1/offers', b.apiKey, validOffer())).body;
    const patch = await call('PATCH', `/v1/offers/${own.id}`, b.apiKey, { storeIds: [storeA.id] });
    expect(patch.status).toBe(400);
  });

  it('does not let brand B re-import brand A’s externalIds into A’s stores', async () => {
    const r = await call<{ created: number }>('POST', '/v1/stores/bulk', b.apiKey, { stores: [validStore({ externalId: 'A-1', name: 'B own' })] });
    expect(r.body.created).toBe(1);
    expect((await call<{ name: string }>('GET', `/v1/stores/${storeA.id}`, a.apiKey)).body.name).toBe('Rivoli');
  });

  it('keeps each brand’s settings its own', async () => {
    expect((await call('PUT', '/v1/settings', a.apiKey, { quietHours: { start: '22:00', end: '08:00' } })).status).toBe(200);
    expect((await call('PUT', '/v1/settings', b.apiKey, { quietHours: null })).status).toBe(200);
    expect((await call<{ quietHours: unknown }>('GET', '/v1/settings', a.apiKey)).body.quietHours).toEqual({ start: '22:00', end: '08:00' });
    expect((await call<{ quietHours: unknown }>('GET', '/v1/settings', b.apiKey)).body.quietHours).toBeNull();
  });

  it('deleting brand B’s own store touches none of brand A’s offers', async () => {
    const storeB = (await call<{ id: string }>('POST', '/v1/stores', b.apiKey, validStore())).body;
    const deleted = await call<{ offersChanged: unknown[] }>('DELETE', `/v1/stores/${storeB.id}`, b.apiKey);
    expect(deleted.status).toBe(200);
    expect(deleted.body.offersChanged).toEqual([]);
    expect((await call<{ version: number }>('GET', `/v1/offers/${offerA.id}`, a.apiKey)).body.version).toBe(offerA.version);
  });

  it('refuses brand A’s Page to brand B with 409', async () => {
    const r = await call('PUT', '/v1/channels/messenger', b.apiKey, { pageId: a.pageId, ...b.secrets });
    expect(r.status).toBe(409);
    expect(((await call<{ pageId: string }>('GET', '/v1/channels/messenger', a.apiKey)).body).pageId).toBe(a.pageId);
  });

  const everyEndpoint: [string, string][] = [
    ['POST', '/v1/keys'],
    ['GET', '/v1/keys'],
    ['DELETE', '/v1/keys/00000000-0000-4000-8000-000000000000'],
    ['PUT', '/v1/channels/messenger'],
    ['GET', '/v1/channels/messenger'],
    ['DELETE', '/v1/channels/messenger'],
    ['POST', '/v1/stores'],
    ['POST', '/v1/stores/bulk'],
    ['GET', '/v1/stores'],
    ['GET', '/v1/stores/00000000-0000-4000-8000-000000000000'],
    ['PATCH', '/v1/stores/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/v1/stores/00000000-0000-4000-8000-000000000000'],
    ['POST', '/v1/offers'],
    ['GET', '/v1/offers'],
    ['GET', '/v1/offers/00000000-0000-4000-8000-000000000000'],
    ['PATCH', '/v1/offers/00000000-0000-4000-8000-000000000000'],
    ['DELETE', '/v1/offers/00000000-0000-4000-8000-000000000000'],
    ['GET', '/v1/offers/00000000-0000-4000-8000-000000000000/stats'],
    ['GET', '/v1/offers/00000000-0000-4000-8000-000000000000/stats/timeseries'],
    ['GET', '/v1/decisions?shopperId=p:1'],
    ['DELETE', '/v1/shoppers/p:1'],
    ['GET', '/v1/settings'],
    ['PUT', '/v1/settings'],
  ];

  it.each(everyEndpoint)('%s %s answers 401 without a key, with a wrong key, and with the operator token', async (method, path) => {
    for (const key of [undefined, 'lp_live_not-a-real-key', E2E.adminToken]) {
      const r = await call(method, path, key, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect(r.status).toBe(401);
    }
  });

  it('refuses brand creation without the operator token, and with a brand key', async () => {
    expect((await call('POST', '/v1/brands', undefined, { name: 'x' })).status).toBe(401);
    expect((await call('POST', '/v1/brands', a.apiKey, { name: 'x' })).status).toBe(401);
  });
});
