import { z } from 'zod';
import { Geofence, Id, IsoTime, LatLng } from './common';

/** catalog.store.v1, key storeId, compacted. */
export const StoreSnapshot = z.object({
  storeId: Id,
  brandId: Id,
  version: z.number().int().nonnegative(),
  name: z.string().min(1).max(200),
  externalId: z.string().max(200).nullable(),
  location: LatLng,
  geofence: Geofence,
  timezone: z.string().min(1),
  openingHours: z.string().nullable(),
  tags: z.array(z.string()),
  /** ISO 3166-1 alpha-2 (lower case), for public holidays (PH) in openingHours; optional. */
  country: z.string().length(2).nullable().optional(),
  updatedAt: IsoTime,
});
export type StoreSnapshot = z.infer<typeof StoreSnapshot>;

/**
 * A deleted store. On Kafka it travels as a tombstone (key storeId, value null, these fields in
 * headers: tombstones.ts); consumers receive it back as this event.
 */
export const StoreDeleted = z.object({ storeId: Id, brandId: Id, version: z.number().int().nonnegative() });
export type StoreDeleted = z.infer<typeof StoreDeleted>;

export const OfferMessage = z.object({
  title: z.string().min(1).max(80),
  subtitle: z.string().max(80).optional(),
  imageUrl: z.url({ protocol: /^https$/ }).optional(),
  url: z.url({ protocol: /^https$/ }).optional(),
});
export type OfferMessage = z.infer<typeof OfferMessage>;

/** Who may receive an offer; every listed criterion must match (empty or missing: anyone). */
export const Audience = z.object({
  locales: z.array(z.string().min(2).max(16)).optional(),
  shopperTags: z.array(z.string().min(1).max(64)).optional(),
  interests: z.array(z.string().min(1).max(64)).optional(),
});
export type Audience = z.infer<typeof Audience>;

/**
 * An A/B message variant of an offer (optional). `weight` is relative to the other variants;
 * `locales` overrides the variant's message per locale, like the offer's own `locales`.
 */
export const OfferVariant = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/),
  weight: z.number().positive().max(1000),
  message: OfferMessage,
  locales: z.record(z.string(), OfferMessage).optional(),
});
export type OfferVariant = z.infer<typeof OfferVariant>;

export const OfferStatus = z.enum(['draft', 'active', 'paused', 'ended']);
export type OfferStatus = z.infer<typeof OfferStatus>;

/**
 * Why the system (not the brand) changed an offer's status: `stores_deleted` — every store it
 * named was deleted, so it was paused rather than widened to all stores (empty storeIds).
 */
export const OfferStatusReason = z.enum(['stores_deleted']);
export type OfferStatusReason = z.infer<typeof OfferStatusReason>;

/** catalog.offer.v1, key offerId, compacted. */
export const OfferSnapshot = z.object({
  offerId: Id,
  brandId: Id,
  version: z.number().int().nonnegative(),
  name: z.string().min(1).max(200),
  /** Empty: every store of the brand. */
  storeIds: z.array(Id),
  message: OfferMessage,
  /** Per-locale variants of the message, e.g. { fr: {...}, en: {...} }. */
  locales: z.record(z.string(), OfferMessage),
  startsAt: IsoTime,
  endsAt: IsoTime,
  trigger: z.enum(['enter', 'dwell']),
  dwellSeconds: z.number().int().positive().nullable(),
  caps: z.object({
    perShopperPerDay: z.number().int().positive().optional(),
    perShopperTotal: z.number().int().positive().optional(),
    maxSends: z.number().int().positive().optional(),
  }),
  cooldownMinutes: z.number().int().nonnegative().nullable(),
  priority: z.number().int(),
  audience: Audience.nullable(),
  status: OfferStatus,
  /** Set when the system changed the status (see OfferStatusReason); missing or null otherwise. */
  statusReason: OfferStatusReason.nullable().optional(),
  updatedAt: IsoTime,
  /** A/B message variants; missing or empty: the offer's own message (variant "default"). */
  variants: z.array(OfferVariant).max(10).optional(),
  /** Share of shoppers (0–1) held out as a control group: decided, recorded, never sent. */
  controlShare: z.number().min(0).max(1).optional(),
});
export type OfferSnapshot = z.infer<typeof OfferSnapshot>;

/** A deleted offer; a tombstone on Kafka, like StoreDeleted. */
export const OfferDeleted = z.object({ offerId: Id, brandId: Id, version: z.number().int().nonnegative() });
export type OfferDeleted = z.infer<typeof OfferDeleted>;

/** Local time of day, 24-hour "HH:mm". */
export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:mm');

/**
 * catalog.brand.v1, key brandId, compacted: brand-wide settings the workers apply.
 * `quietHours` null: no quiet hours; missing: the engine's default (QUIET_HOURS).
 */
export const BrandSettings = z.object({
  brandId: Id,
  version: z.number().int().nonnegative(),
  quietHours: z.object({ start: TimeOfDay, end: TimeOfDay }).nullable().optional(),
  updatedAt: IsoTime,
});
export type BrandSettings = z.infer<typeof BrandSettings>;

/** A secret sealed with AES-256-GCM under the key named by `kid` (libs/config secret-box). */
export const SealedSecret = z.object({
  kid: z.string().min(1),
  iv: z.string().min(1),
  tag: z.string().min(1),
  ct: z.string().min(1),
});
export type SealedSecret = z.infer<typeof SealedSecret>;

/**
 * catalog.channel.v1, key pageId, compacted: the Messenger Pages the gateway and the delivery
 * service serve. Secrets travel sealed, never in the clear; the verify token only as a hash.
 */
export const ChannelConnected = z.object({
  pageId: Id,
  brandId: Id,
  version: z.number().int().nonnegative(),
  pageAccessToken: SealedSecret,
  appSecret: SealedSecret,
  verifyTokenSha256: z.string().regex(/^[0-9a-f]{64}$/),
  updatedAt: IsoTime,
});
export type ChannelConnected = z.infer<typeof ChannelConnected>;

/** A disconnected Page; a tombstone on Kafka (key pageId), like StoreDeleted. */
export const ChannelDisconnected = z.object({ pageId: Id, brandId: Id, version: z.number().int().nonnegative() });
export type ChannelDisconnected = z.infer<typeof ChannelDisconnected>;

/**
 * catalog.api-key.v1, key keyId, compacted: what the gateway needs to authenticate a brand's app
 * (POST /v1/locations) without reading brand-api's database. Never the key itself: its SHA-256.
 * A key's versions: 1 issued, 2 revoked.
 */
export const ApiKeyIssued = z.object({
  keyId: Id,
  brandId: Id,
  version: z.number().int().nonnegative(),
  keySha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: IsoTime,
});
export type ApiKeyIssued = z.infer<typeof ApiKeyIssued>;

/** A revoked key; a tombstone on Kafka (key keyId), so compaction eventually forgets its hash. */
export const ApiKeyRevoked = z.object({ keyId: Id, brandId: Id, version: z.number().int().nonnegative() });
export type ApiKeyRevoked = z.infer<typeof ApiKeyRevoked>;
