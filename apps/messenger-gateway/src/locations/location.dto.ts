import { Latitude, Longitude, SHOPPER_ID_PATTERN } from '@app/contracts';
import { IANAZone } from 'luxon';
import { z } from 'zod';

/**
 * What the device says about the shopper, optional: their language (BCP 47, e.g. "fr-FR", as
 * `navigator.language` gives it) and IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
 * The promotion engine uses them for audience rules, message language and quiet hours.
 */
const shopperContext = {
  locale: z
    .string()
    .max(16)
    .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, 'must be a language tag such as fr-FR')
    .optional(),
  timezone: z.string().max(64).refine((zone) => IANAZone.isValidZone(zone), 'must be an IANA time zone such as Europe/Paris').optional(),
};

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
  ...shopperContext,
});
export type AppLocationBody = z.infer<typeof AppLocationBody>;

/** POST /share-location/fixes: the location page posts each fix with its link's token. */
export const WebFixBody = z.strictObject({
  t: z.string().min(1).max(4096),
  ...fix,
  ...shopperContext,
});
export type WebFixBody = z.infer<typeof WebFixBody>;

export function takenAtMs(takenAt: number | string | undefined): number | null {
  if (takenAt === undefined) return null;
  return typeof takenAt === 'number' ? takenAt : Date.parse(takenAt);
}
