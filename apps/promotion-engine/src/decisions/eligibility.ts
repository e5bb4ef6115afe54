import type { GeofenceTransition, OfferSnapshot } from '@app/contracts';

/** Why an offer may not be sent now; each rule names its reason (for the decision log). */
export type SkipReason =
  | 'opted_out'
  | 'outside_window'
  | 'offer_not_active'
  | 'offer_not_started'
  | 'offer_ended'
  | 'not_for_this_store'
  | 'trigger_mismatch'
  | 'no_offer';

export interface ShopperState {
  optedOut: boolean;
  /** Last message, postback or other window-opening interaction, ms since epoch. */
  lastInboundAtMs: number | null;
}

export interface DecisionContext {
  transition: GeofenceTransition;
  shopper: ShopperState;
  nowMs: number;
  windowHours: number;
}

/** Rules about the shopper, whatever the offer. */
export function shopperBlock(ctx: DecisionContext): SkipReason | null {
  if (ctx.shopper.optedOut) return 'opted_out';
  // A location shared in the chat is itself a message: it opens the window.
  const chatShareMs = ctx.transition.locationSource === 'messenger' ? Date.parse(ctx.transition.sharedAt) : null;
  const last = Math.max(ctx.shopper.lastInboundAtMs ?? -Infinity, chatShareMs ?? -Infinity);
  if (!Number.isFinite(last) || ctx.nowMs - last > ctx.windowHours * 3_600_000) return 'outside_window';
  return null;
}

/** Rules about one offer for this visit. */
export function offerBlock(offer: OfferSnapshot, ctx: DecisionContext): SkipReason | null {
  if (offer.status !== 'active') return 'offer_not_active';
  if (ctx.nowMs < Date.parse(offer.startsAt)) return 'offer_not_started';
  if (ctx.nowMs >= Date.parse(offer.endsAt)) return 'offer_ended';
  if (offer.storeIds.length > 0 && !offer.storeIds.includes(ctx.transition.storeId)) return 'not_for_this_store';
  if (offer.trigger !== ctx.transition.transition) return 'trigger_mismatch';
  return null;
}

export interface Decision {
  offer: OfferSnapshot | null;
  reason: SkipReason | null;
  /** Every offer considered and why it was not chosen. */
  considered: { offerId: string; reason: SkipReason | 'chosen' | 'outranked' }[];
}

/** Picks the offer to send, if any: eligible offers by priority, then a deterministic tie-break. */
export function decide(offers: OfferSnapshot[], ctx: DecisionContext): Decision {
  const blocked = shopperBlock(ctx);
  if (blocked) return { offer: null, reason: blocked, considered: offers.map((o) => ({ offerId: o.offerId, reason: blocked })) };
  const considered: Decision['considered'] = [];
  const eligible: OfferSnapshot[] = [];
  for (const offer of offers) {
    const reason = offerBlock(offer, ctx);
    if (reason) considered.push({ offerId: offer.offerId, reason });
    else eligible.push(offer);
  }
  eligible.sort((a, b) => b.priority - a.priority || a.offerId.localeCompare(b.offerId));
  const [chosen, ...rest] = eligible;
  if (!chosen) {
    const reason = considered.length === 1 ? considered[0].reason as SkipReason : 'no_offer';
    return { offer: null, reason, considered };
  }
  considered.push({ offerId: chosen.offerId, reason: 'chosen' }, ...rest.map((o) => ({ offerId: o.offerId, reason: 'outranked' as const })));
  return { offer: chosen, reason: null, considered };
}
