import type { StoreSnapshot } from '@app/contracts';
import type { CreateStoreBody } from './store.dto';
import type { NewStore } from './store.repository';
import type { StoreEntity } from '@app/database';

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

export function toStoreView(s: StoreEntity): StoreView {
  return {
    id: s.id,
    name: s.name,
    externalId: s.externalId,
    location: { lat: s.lat, lng: s.lng },
    geofence: s.geofence,
    timezone: s.timezone,
    openingHours: s.openingHours,
    tags: s.tags,
    country: s.country,
    version: s.version,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function toStoreSnapshot(s: StoreEntity): StoreSnapshot {
  return {
    storeId: s.id,
    brandId: s.brandId,
    version: s.version,
    name: s.name,
    externalId: s.externalId,
    location: { lat: s.lat, lng: s.lng },
    geofence: s.geofence,
    timezone: s.timezone,
    openingHours: s.openingHours,
    tags: s.tags,
    country: s.country,
    updatedAt: s.updatedAt.toISOString(),
  };
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

/** A stored store as a body again, so a PATCH can be merged into it and checked as a whole. */
export function toStoreBody(s: StoreEntity): CreateStoreBody {
  return {
    name: s.name,
    externalId: s.externalId,
    location: { lat: s.lat, lng: s.lng },
    geofence: s.geofence,
    timezone: s.timezone,
    openingHours: s.openingHours,
    tags: s.tags,
    country: s.country,
  };
}
