import type { StoreSnapshot } from '@app/contracts';
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
    updatedAt: s.updatedAt.toISOString(),
  };
}
