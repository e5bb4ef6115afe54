import { z } from 'zod';
import { Id, IsoTime, LatLng, ShopperRef } from './common';
import { OfferMessage } from './catalog';
import { LocationSource } from './shopper';

export const TransitionKind = z.enum(['enter', 'dwell', 'exit']);
export type TransitionKind = z.infer<typeof TransitionKind>;

/** geofence.transition.v1, key shopperId. */
export const GeofenceTransition = z.object({
  ...ShopperRef,
  storeId: Id,
  transition: TransitionKind,
  /** One id per visit (enter … exit) of this shopper to this store. */
  visitId: Id,
  distanceM: z.number().nonnegative(),
  locationEventId: Id,
  locationSource: LocationSource,
  /** When the fix that caused the transition was shared. */
  sharedAt: IsoTime,
  /** dwell only: seconds between the visit's enter and the share that found the shopper still inside. */
  dwellSeconds: z.number().int().nonnegative().optional(),
  /** exit only: the shopper was seen outside the fence (`left`) or stopped sharing (`timeout`). */
  exitReason: z.enum(['left', 'timeout']).optional(),
});
export type GeofenceTransition = z.infer<typeof GeofenceTransition>;

/** promotion.send-request.v1, key shopperId. `requestId` is the idempotency key of the send. */
export const PromotionSendRequest = z.object({
  ...ShopperRef,
  requestId: Id,
  offerId: Id,
  storeId: Id,
  visitId: Id,
  storeName: z.string(),
  /** Where the store is, for the Directions button; optional (older producers do not send it). */
  storeLocation: LatLng.optional(),
  distanceM: z.number().nonnegative(),
  locale: z.string().min(2).max(16),
  /** Which message variant was chosen: a locale key of the offer, or "default". */
  variant: z.string(),
  message: OfferMessage,
  decidedAt: IsoTime,
  /** The offer's A/B variant id when the offer has variants (see OfferSnapshot.variants). */
  experimentArm: z.string().optional(),
  /** After this the promotion is stale (the shopper has likely left): do not send it. */
  expiresAt: IsoTime,
});
export type PromotionSendRequest = z.infer<typeof PromotionSendRequest>;

export const DeliveryOutcome = z.enum(['sent', 'failed', 'expired', 'skipped']);
export type DeliveryOutcome = z.infer<typeof DeliveryOutcome>;

/** delivery.status.v1, key shopperId. */
export const DeliveryStatus = z.object({
  ...ShopperRef,
  requestId: Id,
  offerId: Id,
  storeId: Id,
  status: DeliveryOutcome,
  messageId: z.string().nullable(),
  /** Why it was not sent: a stable reason code, and Meta's error when there was one. */
  reason: z.string().nullable(),
  error: z
    .object({ code: z.number().int(), subcode: z.number().int().nullable(), message: z.string() })
    .nullable(),
  attempts: z.number().int().nonnegative(),
  at: IsoTime,
});
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

export const ChannelHealthStatus = z.enum(['ok', 'paused', 'broken']);
export type ChannelHealthStatus = z.infer<typeof ChannelHealthStatus>;

/**
 * messenger.channel-health.v1, key pageId, compacted: the delivery service's view of a Page.
 * `broken`: Meta refused the Page token (190), nothing is sent until the brand reconnects the
 * channel (a newer channel version); `paused`: Meta restricted the Page (10/1893063) until `until`.
 */
export const ChannelHealth = z.object({
  pageId: Id,
  brandId: Id,
  status: ChannelHealthStatus,
  reason: z.string().nullable(),
  /** The channel version the verdict is about; a reconnect (newer version) clears it. */
  channelVersion: z.number().int().nonnegative(),
  until: IsoTime.nullable(),
  at: IsoTime,
});
export type ChannelHealth = z.infer<typeof ChannelHealth>;
