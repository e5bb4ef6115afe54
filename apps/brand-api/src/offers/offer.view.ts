import type { OfferSnapshot, OfferStatusReason } from '@app/contracts';
import type { OfferEntity } from '@app/database';
import type { OfferBody } from './offer.dto';

export type OfferView = Omit<OfferSnapshot, 'offerId' | 'brandId'> & { id: string; createdAt: string };
export type OfferColumns = Omit<OfferEntity, 'id' | 'brandId' | 'version' | 'createdAt' | 'updatedAt'>;

/** The columns a whole, validated offer sets; `statusReason` only when the system set the status. */
export function offerColumns(body: OfferBody, statusReason: OfferStatusReason | null = null): OfferColumns {
  return {
    statusReason,
    name: body.name,
    storeIds: [...new Set(body.storeIds)],
    message: body.message,
    locales: body.locales,
    startsAt: new Date(body.startsAt),
    endsAt: new Date(body.endsAt),
    trigger: body.trigger,
    dwellSeconds: body.dwellSeconds,
    caps: body.caps,
    cooldownMinutes: body.cooldownMinutes,
    priority: body.priority,
    audience: body.audience,
    status: body.status,
    variants: body.variants,
    controlShare: body.controlShare,
  };
}

/** A stored offer as a whole body again, so a PATCH can be merged into it and re-checked. */
export function toOfferBody(o: OfferEntity): OfferBody {
  return {
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
    variants: o.variants,
    controlShare: o.controlShare,
  };
}

export function toOfferSnapshot(o: OfferEntity): OfferSnapshot {
  return {
    offerId: o.id,
    brandId: o.brandId,
    version: o.version,
    ...toOfferBody(o),
    statusReason: o.statusReason,
    updatedAt: o.updatedAt.toISOString(),
  };
}

export function toOfferView(o: OfferEntity): OfferView {
  const { offerId: _offerId, brandId: _brandId, ...rest } = toOfferSnapshot(o);
  return { id: o.id, ...rest, createdAt: o.createdAt.toISOString() };
}
