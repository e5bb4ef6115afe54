import { TestBrand, call, fieldsOf, newBrand, validOffer, validStore } from './brand-api.fixtures';

jest.setTimeout(90_000);

const square = (lng: number, lat: number, d = 0.0005): [number, number][] => [
  [lng - d, lat - d],
  [lng + d, lat - d],
  [lng + d, lat + d],
  [lng - d, lat + d],
  [lng - d, lat - d],
];
const circleRing = (n: number): [number, number][] => {
  const ring = Array.from({ length: n }, (_, i) => [2.3376 + 0.001 * Math.cos((2 * Math.PI * i) / n), 48.8606 + 0.001 * Math.sin((2 * Math.PI * i) / n)] as [number, number]);
  return [...ring, ring[0]];
};

/** Every field of a store and an offer, refused with a 400 that names it (real stack). */
describe('brand API validation (real stack)', () => {
  let brand: TestBrand;
  beforeAll(async () => {
    brand = await newBrand('validation', false);
  });

  const storeCases: [string, Record<string, unknown>, string][] = [
    ['a latitude beyond 90', { location: { lat: 91, lng: 2 } }, 'location.lat'],
    ['a longitude beyond 180', { location: { lat: 48, lng: -181 } }, 'location.lng'],
    ['coordinates as strings', { location: { lat: '48.8', lng: '2.3' } }, 'location.lat'],
    ['a missing location', { location: undefined }, 'location'],
    ['an unknown time zone', { timezone: 'Europe/Atlantis' }, 'timezone'],
    ['a UTC offset instead of a zone', { timezone: '+02:00' }, 'timezone'],
    ['bad opening hours', { openingHours: 'open when we feel like it' }, 'openingHours'],
    ['public holidays without a country', { openingHours: 'Mo-Fr 09:00-18:00; PH off', country: undefined }, 'openingHours'],
    ['public holidays for a country the library does not know', { openingHours: 'Mo-Fr 09:00-18:00; PH off', country: 'ZZ' }, 'openingHours'],
    ['a country that is not ISO alpha-2', { country: 'FRA' }, 'country'],
    ['an empty name', { name: ' ' }, 'name'],
    ['a name too long', { name: 'x'.repeat(201) }, 'name'],
    ['too many tags', { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, 'tags'],
    ['an empty tag', { tags: [''] }, 'tags.0'],
    ['an unknown field', { colour: 'red' }, '(body)'],
    ['a circle under 20 m', { geofence: { type: 'circle', radiusM: 10 } }, 'geofence.radiusM'],
    ['a circle over 5 km', { geofence: { type: 'circle', radiusM: 6000 } }, 'geofence.radiusM'],
    ['an unknown fence type', { geofence: { type: 'hexagon' } }, 'geofence.type'],
    ['an open polygon ring', { geofence: { type: 'polygon', coordinates: [square(2.3376, 48.8606).slice(0, 4).concat([[2.3, 48.8]])] } }, 'geofence.coordinates.0'],
    ['a ring of 3 positions', { geofence: { type: 'polygon', coordinates: [[[2.33, 48.86], [2.34, 48.86], [2.33, 48.86]]] } }, 'geofence.coordinates.0'],
    ['a bow-tie polygon', { geofence: { type: 'polygon', coordinates: [[[2.33, 48.86], [2.34, 48.87], [2.34, 48.86], [2.33, 48.87], [2.33, 48.86]]] } }, 'geofence.coordinates'],
    ['a collinear (zero-area) polygon', { geofence: { type: 'polygon', coordinates: [[[2.33, 48.86], [2.34, 48.86], [2.35, 48.86], [2.33, 48.86]]] } }, 'geofence.coordinates'],
    ['a hole outside its polygon', { geofence: { type: 'polygon', coordinates: [square(2.3376, 48.8606), square(2.4, 48.8606, 0.0001)] } }, 'geofence.coordinates.1'],
    ['a polygon of 100 km²', { geofence: { type: 'polygon', coordinates: [square(2.3376, 48.8606, 0.05)] } }, 'geofence.coordinates'],
    ['a polygon of 2,500 vertices', { geofence: { type: 'polygon', coordinates: [circleRing(2500)] } }, 'geofence.coordinates'],
    ['a multipolygon with a self-intersecting part', { geofence: { type: 'multipolygon', coordinates: [[square(2.3376, 48.8606)], [[[2.33, 48.86], [2.34, 48.87], [2.34, 48.86], [2.33, 48.87], [2.33, 48.86]]]] } }, 'geofence.coordinates.1'],
    ['a position with a latitude beyond 90', { geofence: { type: 'polygon', coordinates: [[[2, 91], [2.1, 48], [2.1, 48.1], [2, 91]]] } }, 'geofence.coordinates.0.0.1'],
  ];

  it.each(storeCases)('refuses a store with %s, naming the field', async (_what, change, field) => {
    const r = await call('POST', '/v1/stores', brand.apiKey, validStore(change));
    expect(r.status).toBe(400);
    expect(fieldsOf(r.body)).toContain(field);
  });

  it('accepts a polygon with a hole and a multipolygon', async () => {
    const poly = await call('POST', '/v1/stores', brand.apiKey, validStore({ geofence: { type: 'polygon', coordinates: [square(2.3376, 48.8606), square(2.3376, 48.8606, 0.0001)] } }));
    expect(poly.status).toBe(201);
    const multi = await call('POST', '/v1/stores', brand.apiKey, validStore({ geofence: { type: 'multipolygon', coordinates: [[square(2.3376, 48.8606)], [square(2.35, 48.8606)]] } }));
    expect(multi.status).toBe(201);
  });

  it('refuses a PATCH whose result is invalid, naming the field', async () => {
    const store = (await call<{ id: string }>('POST', '/v1/stores', brand.apiKey, validStore())).body;
    const r = await call('PATCH', `/v1/stores/${store.id}`, brand.apiKey, { country: null });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.body)).toContain('openingHours');
    expect((await call('PATCH', `/v1/stores/${store.id}`, brand.apiKey, {})).status).toBe(400);
  });

  it('answers 413 to a body over 20 MB and 400 to more than 10,000 stores in one import', async () => {
    const huge = await call('POST', '/v1/stores/bulk', brand.apiKey, { stores: ['x'.repeat(21 * 1024 * 1024)] });
    expect(huge.status).toBe(413);
    const many = await call('POST', '/v1/stores/bulk', brand.apiKey, { stores: Array.from({ length: 10_001 }, () => ({})) });
    expect(many.status).toBe(400);
    expect(fieldsOf(many.body)).toContain('stores');
    expect((await call('POST', '/v1/stores', brand.apiKey, 'not json')).status).toBe(400);
  });

  it('refuses bad list queries, naming the parameter', async () => {
    for (const [query, field] of [
      ['near=91,2,100', 'near'],
      ['near=48,2', 'near'],
      ['near=48,2,0', 'near'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['cursor=garbage', 'cursor'],
      ['colour=red', '(body)'],
    ]) {
      const r = await call('GET', `/v1/stores?${query}`, brand.apiKey);
      expect([r.status, fieldsOf(r.body)]).toEqual([400, expect.arrayContaining([field])]);
    }
  });

  const later = (ms: number) => new Date(Date.now() + ms).toISOString();
  const offerCases: [string, Record<string, unknown>, string][] = [
    ['no name', { name: undefined }, 'name'],
    ['a title over 80 characters', { message: { title: 't'.repeat(81) } }, 'message.title'],
    ['a subtitle over 80 characters', { message: { title: 'ok', subtitle: 's'.repeat(81) } }, 'message.subtitle'],
    ['an http link', { message: { title: 'ok', url: 'http://example.com' } }, 'message.url'],
    ['an http image', { message: { title: 'ok', imageUrl: 'http://example.com/i.png' } }, 'message.imageUrl'],
    ['an unknown message field', { message: { title: 'ok', body: 'x' } }, 'message'],
    ['a locale variant with a long title', { locales: { en: { title: 'e'.repeat(81) } } }, 'locales.en.title'],
    ['a malformed locale', { locales: { english: { title: 'ok' } } }, 'locales.english'],
    ['endsAt before startsAt', { startsAt: later(3_600_000), endsAt: later(60_000) }, 'endsAt'],
    ['a date without a time zone', { startsAt: '2026-01-01T10:00:00' }, 'startsAt'],
    ['an unknown trigger', { trigger: 'exit' }, 'trigger'],
    ['dwell without dwellSeconds', { trigger: 'dwell' }, 'dwellSeconds'],
    ['dwellSeconds under 30', { trigger: 'dwell', dwellSeconds: 5 }, 'dwellSeconds'],
    ['dwellSeconds with trigger enter', { trigger: 'enter', dwellSeconds: 60 }, 'dwellSeconds'],
    ['a zero cap', { caps: { perShopperPerDay: 0 } }, 'caps.perShopperPerDay'],
    ['an unknown cap', { caps: { perHour: 1 } }, 'caps'],
    ['a negative cooldown', { cooldownMinutes: -1 }, 'cooldownMinutes'],
    ['a priority out of range', { priority: 5000 }, 'priority'],
    ['a fractional priority', { priority: 1.5 }, 'priority'],
    ['an audience with an unknown criterion', { audience: { ageMin: 18 } }, 'audience'],
    ['created paused', { status: 'paused' }, 'status'],
    ['a store id that is not a UUID', { storeIds: ['store-1'] }, 'storeIds.0'],
    ['a store id that does not exist', { storeIds: ['00000000-0000-4000-8000-000000000000'] }, 'storeIds'],
    ['activation after its window', { status: 'active', startsAt: later(-7_200_000), endsAt: later(-3_600_000) }, 'endsAt'],
  ];

  it.each(offerCases)('refuses an offer with %s, naming the field', async (_what, change, field) => {
    const r = await call('POST', '/v1/offers', brand.apiKey, validOffer(change));
    expect(r.status).toBe(400);
    expect(fieldsOf(r.body)).toContain(field);
  });

  it('refuses a bad channel, naming the fields', async () => {
    const r = await call('PUT', '/v1/channels/messenger', brand.apiKey, { pageId: 'no spaces allowed', pageAccessToken: 'short', appSecret: 'x', verifyToken: 'y' });
    expect(r.status).toBe(400);
    expect(fieldsOf(r.body)).toEqual(expect.arrayContaining(['pageId', 'pageAccessToken', 'appSecret', 'verifyToken']));
  });

  it('refuses a malformed shopper id with 400', async () => {
    expect((await call('GET', '/v1/decisions?shopperId=nocolon', brand.apiKey)).status).toBe(400);
    expect((await call('GET', '/v1/decisions', brand.apiKey)).status).toBe(400);
    expect((await call('DELETE', '/v1/shoppers/nocolon', brand.apiKey)).status).toBe(400);
  });
});
