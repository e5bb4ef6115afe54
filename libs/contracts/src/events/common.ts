import { z } from 'zod';
import { SHOPPER_ID_PATTERN } from '../shopper-id';

export const Id = z.string().min(1).max(128);
export const IsoTime = z.iso.datetime({ offset: true });
export const ShopperId = z.string().regex(SHOPPER_ID_PATTERN, 'must be <pageId>:<psid>');
export const Latitude = z.number().min(-90).max(90);
export const Longitude = z.number().min(-180).max(180);
export const LatLng = z.object({ lat: Latitude, lng: Longitude });

/** A GeoJSON position, [lng, lat] as everywhere in GeoJSON and turf. */
export const Position = z.tuple([Longitude, Latitude]);
export const LinearRing = z.array(Position).min(4);

export const CircleFence = z.object({
  type: z.literal('circle'),
  radiusM: z.number().positive().max(50_000),
});
export const PolygonFence = z.object({
  type: z.literal('polygon'),
  coordinates: z.array(LinearRing).min(1),
});
export const MultiPolygonFence = z.object({
  type: z.literal('multipolygon'),
  coordinates: z.array(z.array(LinearRing).min(1)).min(1),
});
export const Geofence = z.discriminatedUnion('type', [CircleFence, PolygonFence, MultiPolygonFence]);
export type Geofence = z.infer<typeof Geofence>;

/** Fields every shopper-scoped event carries, so no consumer has to look the Page up again. */
export const ShopperRef = {
  shopperId: ShopperId,
  pageId: Id,
  psid: Id,
  brandId: Id,
};
