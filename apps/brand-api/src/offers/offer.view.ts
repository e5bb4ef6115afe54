import type { OfferSnapshot } from '@app/contracts';
import type { OfferEntity } from '@app/database';

export type OfferView = Omit<OfferSnapshot, 'offerId' | 'brandId'> & { id: string; createdAt: string };

export function toOfferSnapshot(o: OfferEntity): OfferSnapshot {
  return {
    offerId: o.id,
    brandId: o.brandId,
    version: o.version,
    name: o.name,
    storeIds: o.storeIds,
    message: o.message,
    locales: o.locales,
    startsAt: o.startsAt.toISOString(),
    endsAt: o.endsAt.toISOString(),
    trigger: o.trigger,
    dwellSeconds: o.dwellSeconds,
    caps: o.caps,
    cooldownMinutes: o.cooldownMinutes,
    priority: o.priority,
    audience: o.audience,
    status: o.status,
    updatedAt: o.updatedAt.toISOString(),
  };
}

export function toOfferView(o: OfferEntity): OfferView {
  const { offerId: _offerId, brandId: _brandId, ...rest } = toOfferSnapshot(o);
  return { id: o.id, ...rest, createdAt: o.createdAt.toISOString() };
}
