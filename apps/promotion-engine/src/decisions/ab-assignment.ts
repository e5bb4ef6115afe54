import type { OfferSnapshot, OfferVariant } from '@app/contracts';

/** Which arm of an offer's experiment a shopper is in: a variant, the offer's own message, or control. */
export type Arm = { kind: 'control' } | { kind: 'default' } | { kind: 'variant'; variant: OfferVariant };

export const armId = (arm: Arm): string => (arm.kind === 'variant' ? arm.variant.id : arm.kind);

// Arms are values: one of each kind is shared by every decision (drawn for every candidate offer).
const CONTROL: Arm = Object.freeze({ kind: 'control' });
const DEFAULT: Arm = Object.freeze({ kind: 'default' });
const variantArms = new WeakMap<OfferVariant, Arm>();
function variantArm(variant: OfferVariant): Arm {
  let arm = variantArms.get(variant);
  if (!arm) {
    arm = Object.freeze({ kind: 'variant', variant });
    variantArms.set(variant, arm);
  }
  return arm;
}

/**
 * A uniform number in [0, 1) derived from the shopper and the offer only: the same every time,
 * on every replica. FNV-1a with murmur3's finalizer: well spread, and cheap enough to draw for
 * every offer of every decision (a cryptographic hash is not needed: nothing is secret here).
 */
export function stickyUnit(shopperId: string, offerId: string): number {
  const key = `${offerId}|${shopperId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/**
 * Sticky assignment by hash: the first `controlShare` of the unit interval is the control group,
 * the rest is split between the variants by weight. A shopper keeps their arm for the offer's
 * whole life (as long as its variants and shares do not change), so lift can be measured.
 */
export function assignArm(offer: Pick<OfferSnapshot, 'offerId' | 'variants' | 'controlShare'>, shopperId: string): Arm {
  const u = stickyUnit(shopperId, offer.offerId);
  const control = offer.controlShare ?? 0;
  if (u < control) return CONTROL;
  const variants = offer.variants ?? [];
  if (variants.length === 0) return DEFAULT;
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  // Rescale the part of [0, 1) above the control share back to [0, total).
  let point = ((u - control) / (1 - control)) * total;
  for (const variant of variants) {
    if (point < variant.weight) return variantArm(variant);
    point -= variant.weight;
  }
  return variantArm(variants[variants.length - 1]);
}
