import type { StoreSnapshot } from '@app/contracts';
import type { CreateStoreBody } from './store.dto';
import type { NewStore } from './store.repository';
import type { StoreEntity } from '@app/database';
import { openingHoursWarnings } from './store-rules';

export interface StoreView {
  id: string;
  name: string;
  externalId: string | null;
  location: { lat: number; lng: number };
  geofence: StoreEntity['geofence'];
  timezone: string;
  openingHours: string | null;
  tags: string[];
  country: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Advice about a valid value the brand may want to act on; never a reason to reject. */
export interface FieldWarning {
  field: string;
  message: string;
}

/** What POST and PATCH answer: the store and the warnings about what was sent. */
export type StoreWithWarnings = StoreView & { warnings: FieldWarning[] };

/** The `opening_hours` library's warnings on the store's hours (e.g. weekdays not joined by a comma). */
export function storeWarnings(s: Pick<StoreEntity, 'openingHours' | 'country'>): FieldWarning[] {
  if (!s.openingHours) return [];
  return openingHoursWarnings(s.openingHours, { country: s.country }).map((message) => ({ field: 'openingHours', message }));
}

export function toStoreView(s: StoreEntity): StoreView {
  return { id: s.id, ...toStoreBody(s), version: s.version, createdAt: s.createdAt.toISOString(), updatedAt: s.updatedAt.toISOString() };
}

export function toStoreSnapshot(s: StoreEntity): StoreSnapshot {
  return { storeId: s.id, brandId: s.brandId, version: s.version, ...toStoreBody(s), updatedAt: s.updatedAt.toISOString() };
}

/** The columns a validated store body sets (everything but ids, version and timestamps). */
export function storeColumns(body: CreateStoreBody): Omit<NewStore, 'id' | 'brandId' | 'version'> {
  return {
    externalId: body.externalId ?? null,
    name: body.name,
    lat: body.location.lat,
    lng: body.location.lng,
    geofence: body.geofence,
    timezone: body.timezone,
    openingHours: body.openingHours ?? null,
    tags: body.tags ?? [],
    country: body.country ?? null,
  };
}

/**
 * A stored store as a body again, so a PATCH can be merged into it and checked as a whole; also
 * what the API's view and the catalog snapshot say of it, around their ids, version and times.
 */
export function toStoreBody(s: StoreEntity) {
  return {
    name: s.name,
    externalId: s.externalId,
    location: { lat: s.lat, lng: s.lng },
    geofence: s.geofence,
    timezone: s.timezone,
    openingHours: s.openingHours,
    tags: s.tags,
    country: s.country,
  } satisfies CreateStoreBody;
}
