import { IsoTime } from './events/common';
import { OfferMessage } from './events/catalog';
import { GeofenceTransition, PromotionSendRequest } from './events/decisions';
import { SHOPPER_ID_PATTERN } from './shopper-id';

/**
 * Precompiled checks for the events of the engine's hot path (a geofence transition consumed, a
 * send request produced: one each per decision). zod stays the contract and the judge: a fast
 * check only ever says "valid, and here is exactly what zod would return" or "not sure"
 * (`undefined`), and parseEvent then asks zod, which names the errors. So a fast check may be
 * stricter than zod (any doubt falls back), never looser; fast-parse.spec.ts checks both agree on
 * generated events, valid and invalid.
 *
 * Outputs are built as zod builds them: the schema's keys in the schema's order, unknown keys
 * left out, an optional key kept (even undefined) when the input has it.
 */
export type FastParse = (input: unknown) => unknown;

// zod's own pattern for z.iso.datetime({ offset: true }), read from the schema: same answers.
const ISO_TIME = (IsoTime as unknown as { _zod: { pattern: RegExp } })._zod.pattern;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length >= 1 && v.length <= 128;
const isIsoTime = (v: unknown): v is string => typeof v === 'string' && ISO_TIME.test(v);
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isShopperRef = (v: Record<string, unknown>): boolean =>
  typeof v.shopperId === 'string' && SHOPPER_ID_PATTERN.test(v.shopperId) && isId(v.pageId) && isId(v.psid) && isId(v.brandId);

/** geofence.transition.v1 `data`. */
export const fastGeofenceTransition: FastParse = (v) => {
  if (!isObject(v) || !isShopperRef(v)) return undefined;
  const { transition, locationSource } = v;
  if (!isId(v.storeId) || !isId(v.visitId) || !isId(v.locationEventId) || !isNonNegative(v.distanceM) || !isIsoTime(v.sharedAt)) return undefined;
  if (transition !== 'enter' && transition !== 'dwell' && transition !== 'exit') return undefined;
  if (locationSource !== 'messenger' && locationSource !== 'web' && locationSource !== 'api') return undefined;
  const out: Record<string, unknown> = {
    shopperId: v.shopperId,
    pageId: v.pageId,
    psid: v.psid,
    brandId: v.brandId,
    storeId: v.storeId,
    transition,
    visitId: v.visitId,
    distanceM: v.distanceM,
    locationEventId: v.locationEventId,
    locationSource,
    sharedAt: v.sharedAt,
  };
  if ('dwellSeconds' in v) {
    const d = v.dwellSeconds;
    if (d !== undefined && !(Number.isSafeInteger(d) && (d as number) >= 0)) return undefined;
    out.dwellSeconds = d;
  }
  if ('exitReason' in v) {
    const r = v.exitReason;
    if (r !== undefined && r !== 'left' && r !== 'timeout') return undefined;
    out.exitReason = r;
  }
  return out;
};

// z.url's verdict on a string never changes: ask zod once per URL (offers repeat theirs).
const urlVerdicts = new Map<string, boolean>();
const UrlOfMessage = OfferMessage.shape.url;
function isHttpsUrl(v: string): boolean {
  let ok = urlVerdicts.get(v);
  if (ok === undefined) {
    ok = UrlOfMessage.safeParse(v).success;
    if (urlVerdicts.size >= 10_000) urlVerdicts.clear();
    urlVerdicts.set(v, ok);
  }
  return ok;
}

/** An offer's message: title, subtitle, https imageUrl and url (optional ones kept when present). */
function fastOfferMessage(v: unknown): Record<string, unknown> | undefined {
  if (!isObject(v) || typeof v.title !== 'string' || v.title.length < 1 || v.title.length > 80) return undefined;
  const out: Record<string, unknown> = { title: v.title };
  for (const key of ['subtitle', 'imageUrl', 'url'] as const) {
    if (!(key in v)) continue;
    const s = v[key];
    if (s !== undefined) {
      if (typeof s !== 'string') return undefined;
      if (key === 'subtitle' ? s.length > 80 : !isHttpsUrl(s)) return undefined;
    }
    out[key] = s;
  }
  return out;
}

/** promotion.send-request.v1 `data`. */
export const fastPromotionSendRequest: FastParse = (v) => {
  if (!isObject(v) || !isShopperRef(v)) return undefined;
  if (!isId(v.requestId) || !isId(v.offerId) || !isId(v.storeId) || !isId(v.visitId) || typeof v.storeName !== 'string') return undefined;
  if (!isNonNegative(v.distanceM) || typeof v.locale !== 'string' || v.locale.length < 2 || v.locale.length > 16 || typeof v.variant !== 'string') return undefined;
  if (!isIsoTime(v.decidedAt) || !isIsoTime(v.expiresAt)) return undefined;
  const message = fastOfferMessage(v.message);
  if (!message) return undefined;
  const out: Record<string, unknown> = {
    shopperId: v.shopperId,
    pageId: v.pageId,
    psid: v.psid,
    brandId: v.brandId,
    requestId: v.requestId,
    offerId: v.offerId,
    storeId: v.storeId,
    visitId: v.visitId,
    storeName: v.storeName,
  };
  if ('storeLocation' in v) {
    const l = v.storeLocation;
    if (l === undefined) out.storeLocation = undefined;
    else {
      if (!isObject(l)) return undefined;
      const { lat, lng } = l;
      if (typeof lat !== 'number' || typeof lng !== 'number' || !(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180)) return undefined;
      out.storeLocation = { lat, lng };
    }
  }
  out.distanceM = v.distanceM;
  out.locale = v.locale;
  out.variant = v.variant;
  out.message = message;
  out.decidedAt = v.decidedAt;
  if ('experimentArm' in v) {
    if (v.experimentArm !== undefined && typeof v.experimentArm !== 'string') return undefined;
    out.experimentArm = v.experimentArm;
  }
  out.expiresAt = v.expiresAt;
  return out;
};

/** The fast checks, by the zod schema of the event's `data` they stand in for. */
export const FAST_PARSERS: ReadonlyMap<unknown, FastParse> = new Map<unknown, FastParse>([
  [GeofenceTransition, fastGeofenceTransition],
  [PromotionSendRequest, fastPromotionSendRequest],
]);

/** The envelope `{ id, type, occurredAt, data }` as zod's Envelope returns it, or undefined. */
export function fastEnvelope(v: unknown): { id: string; type: string; occurredAt: string; data: unknown } | undefined {
  if (!isObject(v)) return undefined;
  const { id, type, occurredAt } = v;
  if (!isId(id) || typeof type !== 'string' || type.length < 1 || !isIsoTime(occurredAt)) return undefined;
  return { id, type, occurredAt, data: v.data };
}
