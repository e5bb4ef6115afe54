import { Geofence, LatLng } from '@app/contracts';
import { z } from 'zod';
import { COUNTRY_CODE, OPENING_HOURS_MAX_LENGTH, STORE_MAX_TAGS, STORE_NAME_MAX_LENGTH, STORE_TAG_MAX_LENGTH } from './store-limits';
import { geofenceProblems, isIanaTimeZone, normaliseCountry, openingHoursProblem } from './store-rules';

/** The largest bulk import accepted in one request. */
export const MAX_BULK_STORES = 10_000;

const Tag = z.string().trim().min(1).max(STORE_TAG_MAX_LENGTH);

/** Every field of a store as a brand sends it (ARCHITECTURE.md §4), before cross-field rules. */
const StoreObject = z
  .object({
    name: z.string().trim().min(1).max(STORE_NAME_MAX_LENGTH),
    externalId: z.string().trim().min(1).max(200).nullable().optional(),
    location: LatLng.strict(),
    geofence: Geofence,
    timezone: z.string().refine(isIanaTimeZone, 'must be an IANA time zone, e.g. Europe/Paris'),
    openingHours: z.string().trim().min(1).max(OPENING_HOURS_MAX_LENGTH).nullable().optional(),
    tags: z
      .array(Tag)
      .max(STORE_MAX_TAGS)
      .transform((tags) => [...new Set(tags)])
      .optional(),
    country: z
      .string()
      .regex(COUNTRY_CODE, 'must be an ISO 3166-1 alpha-2 country code, e.g. FR')
      .transform(normaliseCountry)
      .nullable()
      .optional(),
  })
  .strict();

type StoreShape = z.infer<typeof StoreObject>;

/** The rules no JSON shape can say: a sane geofence (turf) and evaluable opening hours. */
function storeRules(store: StoreShape, ctx: z.RefinementCtx): void {
  for (const problem of geofenceProblems(store.geofence)) {
    ctx.addIssue({ code: 'custom', path: ['geofence', ...problem.path], message: problem.message });
  }
  if (store.openingHours) {
    const problem = openingHoursProblem(store.openingHours, { country: store.country });
    if (problem) ctx.addIssue({ code: 'custom', path: ['openingHours'], message: problem });
  }
}

export const CreateStoreBody = StoreObject.superRefine(storeRules);
export type CreateStoreBody = z.infer<typeof CreateStoreBody>;

/** PATCH: any subset of the fields; the merged store is checked again as a whole. */
export const UpdateStoreBody = StoreObject.partial().refine((b) => Object.keys(b).length > 0, 'nothing to change');
export type UpdateStoreBody = z.infer<typeof UpdateStoreBody>;

/** One store of a bulk import: externalId is what makes a re-import update instead of duplicate. */
export const ImportStoreItem = StoreObject.extend({ externalId: z.string().trim().min(1).max(200) }).superRefine(storeRules);
export type ImportStoreItem = z.infer<typeof ImportStoreItem>;

/** Items are checked one by one by the use case, so one bad store rejects only itself. */
export const ImportStoresBody = z
  .object({ stores: z.array(z.unknown()).min(1).max(MAX_BULK_STORES, `at most ${MAX_BULK_STORES} stores per request`) })
  .strict();
export type ImportStoresBody = z.infer<typeof ImportStoresBody>;

export interface NearFilter {
  lat: number;
  lng: number;
  radiusM: number;
}

const Near = z
  .string()
  .transform((value, ctx): NearFilter => {
    const parts = value.split(',').map((p) => Number(p.trim()));
    const [lat, lng, radiusM] = parts;
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p)) || Math.abs(lat) > 90 || Math.abs(lng) > 180 || radiusM <= 0 || radiusM > 100_000) {
      ctx.addIssue({ code: 'custom', message: 'must be lat,lng,radiusM with radiusM in (0, 100000], e.g. 48.86,2.34,1500' });
      return z.NEVER;
    }
    return { lat, lng, radiusM };
  });

export const ListStoresQuery = z
  .object({
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    tag: Tag.optional(),
    near: Near.optional(),
  })
  .strict();
export type ListStoresQuery = z.infer<typeof ListStoresQuery>;
