import fc from 'fast-check';
import { EventValidationError, parseEvent, parseEventWithZod } from './envelope';
import { GeofenceTransition, PromotionSendRequest } from './events/decisions';
import { fastGeofenceTransition, fastPromotionSendRequest } from './fast-parse';
import { Topics } from './topics';

// The fast checks must answer as zod does: same output (keys, order, values) when they accept,
// and never accept what zod refuses. Valid events are generated, then each field is mutated.

// Valid values (edges included); the invalid ones come in through the mutations below.
const ids = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.constantFrom('x'.repeat(128), 'é', ' '));
const shopperIds = fc
  .tuple(fc.stringMatching(/^[0-9A-Za-z_-]{1,12}$/), fc.stringMatching(/^[0-9A-Za-z_-]{1,12}$/))
  .map(([p, s]) => `${p}:${s}`);
const isoTimes = fc.oneof(
  fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2026-12-02T10:00:00+01:00', '2026-12-02T10:00:00Z', '2024-02-29T00:00:00.123456Z', '2026-12-02T23:59:59-09:30'),
);
const distances = fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, -0, 1e300));
/** Values a field may be replaced with: near misses of every field's rules, and anything at all. */
const junk = fc.oneof(
  fc.constantFrom('', 'x'.repeat(129), 'é', 'nocolon', 'a:b:c', ':x', 'p:', `p:${'s'.repeat(129)}`, 'leave', 'sms', 'gone'),
  fc.constantFrom('2026-02-29T00:00:00Z', '2026-12-02 10:00:00Z', '2026-12-02T10:00:00', '2026-12-02T24:00:00Z', '2026-12-02T10:00:00+1:00'),
  fc.constantFrom(-1, 1.5, -0.0001, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, -Infinity, null, undefined, {}, [], true),
  fc.constantFrom('http://x.example/', 'notaurl', 'https://', 'ftp://x', 'x'.repeat(81)),
  fc.anything(),
  fc.double(),
  fc.string(),
);
const validTransition = fc.record({
  shopperId: shopperIds,
  pageId: ids,
  psid: ids,
  brandId: ids,
  storeId: ids,
  transition: fc.constantFrom('enter', 'dwell', 'exit'),
  visitId: ids,
  distanceM: distances,
  locationEventId: ids,
  locationSource: fc.constantFrom('messenger', 'web', 'api'),
  sharedAt: isoTimes,
  dwellSeconds: fc.option(fc.oneof(fc.nat(), fc.constantFrom(Number.MAX_SAFE_INTEGER)), { nil: undefined }),
  exitReason: fc.option(fc.constantFrom('left', 'timeout'), { nil: undefined }),
}, { requiredKeys: ['shopperId', 'pageId', 'psid', 'brandId', 'storeId', 'transition', 'visitId', 'distanceM', 'locationEventId', 'locationSource', 'sharedAt'] });

const messages = fc.record({
  title: fc.string({ minLength: 1, maxLength: 80 }),
  subtitle: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
  imageUrl: fc.option(fc.oneof(fc.webUrl({ validSchemes: ['https'] }), fc.constantFrom('https://cdn.example/a.png')), { nil: undefined }),
  url: fc.option(fc.oneof(fc.webUrl({ validSchemes: ['https'] }), fc.constantFrom('https://shop.example/p?q=1')), { nil: undefined }),
}, { requiredKeys: ['title'] });

const validRequest = fc.record({
  shopperId: shopperIds,
  pageId: ids,
  psid: ids,
  brandId: ids,
  requestId: ids,
  offerId: ids,
  storeId: ids,
  visitId: ids,
  storeName: fc.string(),
  storeLocation: fc.option(fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) }), { nil: undefined }),
  distanceM: distances,
  locale: fc.string({ minLength: 2, maxLength: 16 }),
  variant: fc.string(),
  message: messages,
  decidedAt: isoTimes,
  experimentArm: fc.option(fc.string(), { nil: undefined }),
  expiresAt: isoTimes,
}, { requiredKeys: ['shopperId', 'pageId', 'psid', 'brandId', 'requestId', 'offerId', 'storeId', 'visitId', 'storeName', 'distanceM', 'locale', 'variant', 'message', 'decidedAt', 'expiresAt'] });

/** A generated object with one field removed, replaced by junk, or one unknown field added. */
function mutated<T extends Record<string, unknown>>(base: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    base,
    fc.tuple(base, fc.nat(), junk).map(([o, i, v]) => {
      const keys = Object.keys(o);
      return keys.length === 0 ? o : { ...o, [keys[i % keys.length]]: v };
    }),
    fc.tuple(base, fc.nat()).map(([o, i]) => {
      const copy: Record<string, unknown> = { ...o };
      const keys = Object.keys(copy);
      delete copy[keys[i % keys.length]];
      return copy;
    }),
    fc.tuple(base, fc.string(), junk).map(([o, k, v]) => ({ [k]: v, ...o })),
    // A nested object's field (the message, the store's location) replaced.
    fc.tuple(base, fc.constantFrom('message', 'storeLocation'), fc.constantFrom('title', 'subtitle', 'imageUrl', 'url', 'lat', 'lng', 'extra'), junk).map(([o, k, f, v]) =>
      typeof o[k] === 'object' && o[k] !== null ? { ...o, [k]: { ...(o[k] as object), [f]: v } } : o,
    ),
    junk,
  );
}

/** Keys in order, recursively: what JSON.stringify will write (undefined values included). */
const shapeOf = (v: unknown): unknown =>
  typeof v === 'object' && v !== null ? Object.entries(v).map(([k, x]) => [k, shapeOf(x)]) : v === undefined ? '(undefined)' : v;

/** Whether the fast check accepted `input` (and then gave zod's answer). */
function agrees(fast: (v: unknown) => unknown, schema: typeof GeofenceTransition | typeof PromotionSendRequest, input: unknown): boolean {
  const reference = schema.safeParse(input);
  const out = fast(input);
  if (out === undefined) return false;
  expect(reference.success).toBe(true);
  expect(shapeOf(out)).toEqual(shapeOf(reference.data));
  expect(JSON.stringify(out)).toBe(JSON.stringify(reference.data));
  return true;
}

describe('fast checks answer as zod', () => {
  it('geofence.transition.v1 data: same output when accepted, never accepts what zod refuses', () => {
    let accepted = 0;
    fc.assert(fc.property(mutated(validTransition), (input) => void (accepted += agrees(fastGeofenceTransition, GeofenceTransition, input) ? 1 : 0)), { numRuns: 1000 });
    expect(accepted).toBeGreaterThan(200);
  });

  it('promotion.send-request.v1 data: same output when accepted, never accepts what zod refuses', () => {
    let accepted = 0;
    fc.assert(fc.property(mutated(validRequest), (input) => void (accepted += agrees(fastPromotionSendRequest, PromotionSendRequest, input) ? 1 : 0)), { numRuns: 1000 });
    expect(accepted).toBeGreaterThan(200);
  });

  it('accepts what zod accepts in the common case (so the fast path is really taken)', () => {
    const transition = {
      shopperId: 'p1:s1', pageId: 'p1', psid: 's1', brandId: 'b', storeId: 's', transition: 'dwell', visitId: 'v', distanceM: 12.5,
      locationEventId: 'e', locationSource: 'web', sharedAt: '2026-12-02T10:00:00.000Z', dwellSeconds: 300,
    };
    expect(fastGeofenceTransition(transition)).toEqual(GeofenceTransition.parse(transition));
    const request = {
      shopperId: 'p1:s1', pageId: 'p1', psid: 's1', brandId: 'b', requestId: 'r', offerId: 'o', storeId: 's', visitId: 'v', storeName: 'Store',
      storeLocation: { lat: 48.8, lng: 2.3 }, distanceM: 3, locale: 'fr-FR', variant: 'fr', message: { title: 'T', url: 'https://shop.example/x' },
      decidedAt: '2026-12-02T10:00:00.000Z', experimentArm: undefined, expiresAt: '2026-12-02T10:10:00.000Z',
    };
    expect(fastPromotionSendRequest(request)).toEqual(PromotionSendRequest.parse(request));
  });

  it('parseEvent returns what zod returns, and throws the same errors', () => {
    const envelope = fc.record({ id: ids, type: fc.constantFrom('geofence.transitioned', 'geofence.other'), occurredAt: isoTimes, data: mutated(validTransition) });
    fc.assert(
      fc.property(mutated(envelope), (input) => {
        const outcome = (parse: typeof parseEvent) => {
          try {
            return { event: JSON.stringify(parse(Topics.GeofenceTransition, input)) };
          } catch (error) {
            expect(error).toBeInstanceOf(EventValidationError);
            return { error: (error as EventValidationError).message, issues: (error as EventValidationError).issues };
          }
        };
        expect(outcome(parseEvent)).toEqual(outcome(parseEventWithZod));
      }),
      { numRuns: 1000 },
    );
  });
});
