import { Latitude, Longitude, SHOPPER_ID_PATTERN } from '@app/contracts';
import { z } from 'zod';

const fix = {
  lat: Latitude,
  lng: Longitude,
  /** Radius of 68 % confidence in metres, as browsers and phones report it. */
  accuracyM: z.number().nonnegative().max(100_000).nullable().optional(),
  /** When the device took the fix: epoch ms or ISO time. */
  takenAt: z.union([z.number().int().positive().max(8.64e15), z.iso.datetime({ offset: true })]).optional(),
};

/** POST /v1/locations: a brand's own app reports where one of its Messenger shoppers is. */
export const AppLocationBody = z.strictObject({
  shopperId: z.string().regex(SHOPPER_ID_PATTERN, 'must be <pageId>:<psid>'),
  ...fix,
});
export type AppLocationBody = z.infer<typeof AppLocationBody>;

/** POST /share-location/fixes: the location page posts each fix with its link's token. */
export const WebFixBody = z.strictObject({
  t: z.string().min(1).max(4096),
  ...fix,
});
export type WebFixBody = z.infer<typeof WebFixBody>;

export function takenAtMs(takenAt: number | string | undefined): number | null {
  if (takenAt === undefined) return null;
  return typeof takenAt === 'number' ? takenAt : Date.parse(takenAt);
}
