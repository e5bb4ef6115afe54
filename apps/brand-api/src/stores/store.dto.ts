import { Geofence as GeofenceSchema, LatLng } from '@app/contracts';
import { IANAZone } from 'luxon';
import OpeningHours from 'opening_hours';
import { z } from 'zod';

const CircleInput = z.object({ type: z.literal('circle'), radiusM: z.number().min(20).max(5000) }).strict();

/** Circle geofences; polygons follow the contract's GeoJSON shapes (full checks: issue 3). */
const GeofenceInput = z.union([CircleInput, GeofenceSchema.options[1], GeofenceSchema.options[2]]);

export function isValidOpeningHours(value: string): boolean {
  try {
    new OpeningHours(value);
    return true;
  } catch {
    return false;
  }
}

export const CreateStoreBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    externalId: z.string().trim().min(1).max(200).optional(),
    location: LatLng.strict(),
    geofence: GeofenceInput,
    timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'must be an IANA time zone, e.g. Europe/Paris'),
    openingHours: z
      .string()
      .max(1000)
      .refine(isValidOpeningHours, 'must use the OpenStreetMap opening_hours syntax, e.g. "Mo-Sa 09:00-20:00"')
      .optional(),
    tags: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
  })
  .strict();
export type CreateStoreBody = z.infer<typeof CreateStoreBody>;
