import { z } from 'zod';
import { IsoTime, Latitude, Longitude, ShopperRef } from './common';

export const LocationSource = z.enum(['messenger', 'web', 'api']);
export type LocationSource = z.infer<typeof LocationSource>;

/** shopper.location.v1, key shopperId. Raw coordinates: never logged, never stored in Postgres. */
export const ShopperLocation = z.object({
  ...ShopperRef,
  lat: Latitude,
  lng: Longitude,
  /** Radius of 68 % confidence in metres; null when the source does not say (Messenger pins). */
  accuracyM: z.number().nonnegative().nullable(),
  source: LocationSource,
  /** When the shopper's device took or sent the fix. */
  sharedAt: IsoTime,
  /** When the gateway received it. */
  receivedAt: IsoTime,
  /** Messenger message id when the fix came as a chat attachment. */
  messageId: z.string().nullable(),
});
export type ShopperLocation = z.infer<typeof ShopperLocation>;

export const InteractionKind = z.enum([
  'text',
  'quick_reply',
  'postback',
  'location',
  'attachment',
  'optin',
  'delivery',
  'read',
  /** The shopper opened an offer's link (gateway's click redirect); `payload` is the requestId. */
  'click',
]);
export type InteractionKind = z.infer<typeof InteractionKind>;

/**
 * What the shopper asked for, recognised by the gateway: stop and start change consent for good;
 * nearby asks for the location-sharing link.
 */
export const ShopperCommand = z.enum(['stop', 'start', 'nearby']);
export type ShopperCommand = z.infer<typeof ShopperCommand>;

/** shopper.interaction.v1, key shopperId. */
export const ShopperInteraction = z.object({
  ...ShopperRef,
  kind: InteractionKind,
  /** Whether this interaction opens or extends Messenger's 24-hour standard window. */
  opensWindow: z.boolean(),
  text: z.string().max(4000).nullable(),
  payload: z.string().max(4000).nullable(),
  command: ShopperCommand.nullable(),
  messageId: z.string().nullable(),
  watermark: z.number().int().nullable(),
  /** Meta's event timestamp. */
  at: IsoTime,
  receivedAt: IsoTime,
  /** The shopper's locale when known (e.g. "fr_FR" from the Messenger profile). */
  locale: z.string().min(2).max(16).nullable().optional(),
  /** The shopper's IANA time zone when known; the engine otherwise uses the store's. */
  timezone: z.string().min(1).max(64).nullable().optional(),
});
export type ShopperInteraction = z.infer<typeof ShopperInteraction>;

/** A brand-assigned shopper tag (audience.shopperTags of offers): 1–64 characters, no control characters. */
export const ShopperTag = z.string().min(1).max(64).regex(/^[^\p{Cc}]+$/u, 'must not contain control characters');
export const MAX_SHOPPER_TAGS = 50;

/**
 * shopper.tags.v1, key shopperId: the brand replaced the shopper's tags (brand-api's
 * PUT /v1/shoppers/:shopperId/tags). The engine keeps the newest list by `setAt`.
 */
export const ShopperTagsSet = z.object({
  ...ShopperRef,
  tags: z.array(ShopperTag).max(MAX_SHOPPER_TAGS),
  setAt: IsoTime,
});
export type ShopperTagsSet = z.infer<typeof ShopperTagsSet>;

/**
 * shopper.erasure.v1, key shopperId: forget everything about this shopper (brand-api's
 * DELETE /v1/shoppers/:shopperId). Every service that keeps shopper state drops it.
 */
export const ShopperErasure = z.object({
  ...ShopperRef,
  requestedAt: IsoTime,
});
export type ShopperErasure = z.infer<typeof ShopperErasure>;
