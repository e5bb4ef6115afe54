import { OfferReasonMemo, type GeofenceTransition, type OfferSnapshot, type StoreSnapshot } from '@app/contracts';
import { IANAZone } from 'luxon';
import { QuietHours, isQuietHours, localDay, storeHoursVerdict } from './local-time';

/**
 * The engine's rules, pure: every input (the clock included) is passed in and every failure
 * names its reason, for the decision log. Rules in three layers:
 * - about the shopper and the store, whatever the offer (`ShopperSkip`);
 * - about one offer for this visit (`OfferSkip`);
 * - counters checked and reserved atomically in Redis (`ReservationSkip`, see caps.repository).
 */
export type ShopperSkip = 'opted_out' | 'outside_window' | 'store_unknown' | 'store_hours_invalid' | 'store_closed' | 'quiet_hours';
export type OfferSkip =
  | 'offer_not_active'
  | 'offer_not_started'
  | 'offer_ended'
  | 'not_for_this_store'
  | 'trigger_mismatch'
  | 'dwell_too_short'
  | 'dwell_time_unknown'
  | 'audience_locale'
  | 'audience_tags'
  | 'audience_interests';
export type ReservationSkip = 'one_per_visit' | 'one_per_share' | 'cooldown' | 'cap_total' | 'cap_per_day' | 'budget_exhausted';
export type SkipReason = ShopperSkip | OfferSkip | ReservationSkip | 'no_offer' | 'no_eligible_offer';

export interface ShopperState {
  optedOut: boolean;
  /** Last message, postback or other window-opening interaction, ms since epoch. */
  lastInboundAtMs: number | null;
  /** e.g. "fr_FR"; null when unknown (the engine's default locale applies). */
  locale: string | null;
  /** IANA zone; null when unknown (the store's zone applies). */
  timezone: string | null;
  tags: string[];
  /** Interest category → score, already decayed to the decision's instant. */
  interests: Record<string, number>;
}

export const UNKNOWN_SHOPPER: ShopperState = { optedOut: false, lastInboundAtMs: null, locale: null, timezone: null, tags: [], interests: {} };

export interface DecisionContext {
  transition: GeofenceTransition;
  shopper: ShopperState;
  store: StoreSnapshot | null;
  nowMs: number;
  windowHours: number;
  /** The brand's quiet hours in the shopper's zone; null: none. */
  quietHours: QuietHours | null;
  defaultLocale: string;
  /** Minimum interest score for an offer whose audience lists interests. */
  interestThreshold: number;
}

// luxon builds an Intl formatter to validate a zone: remember the answers.
const zoneValidity = new Map<string, boolean>();
function isValidZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    if (zoneValidity.size > 10_000) zoneValidity.clear();
    zoneValidity.set(zone, valid);
  }
  return valid;
}

/** Where "the shopper's" local time is read: their own zone when known, else the store's. */
export function shopperZone(ctx: Pick<DecisionContext, 'shopper' | 'store'>): string {
  const own = ctx.shopper.timezone;
  if (own && isValidZone(own)) return own;
  return ctx.store?.timezone && isValidZone(ctx.store.timezone) ? ctx.store.timezone : 'UTC';
}

/** What the rules need of an offer, derived once: its window in ms, its audience normalised. */
interface OfferFacts {
  startsMs: number;
  endsMs: number;
  locales: string[] | null;
  tags: string[] | null;
  interests: string[] | null;
}

// Offers are immutable snapshots (cached by the catalog): derive their facts once.
const offerFacts = new WeakMap<OfferSnapshot, OfferFacts>();
function factsOf(offer: OfferSnapshot): OfferFacts {
  let f = offerFacts.get(offer);
  if (!f) {
    const audience = offer.audience;
    f = {
      startsMs: Date.parse(offer.startsAt),
      endsMs: Date.parse(offer.endsAt),
      locales: audience?.locales?.length ? audience.locales.map(normalizeLocale) : null,
      tags: audience?.shopperTags?.length ? audience.shopperTags.map((t) => t.toLowerCase()) : null,
      interests: audience?.interests?.length ? audience.interests.map((i) => i.toLowerCase()) : null,
    };
    offerFacts.set(offer, f);
  }
  return f;
}

// A shopper's tags, lower-cased once per state read (the same array is judged against every offer).
const tagSets = new WeakMap<string[], Set<string>>();
function tagSetOf(tags: string[]): Set<string> {
  let set = tagSets.get(tags);
  if (!set) {
    set = new Set(tags.map((t) => t.toLowerCase()));
    tagSets.set(tags, set);
  }
  return set;
}

/** Whether an offer is meant for the store at all (empty storeIds: every store of the brand). */
export const isForStore = (offer: OfferSnapshot, storeId: string): boolean => offer.storeIds.length === 0 || offer.storeIds.includes(storeId);

/** "fr_FR" / "fr-fr" → "fr-FR"; "EN" → "en". */
export function normalizeLocale(locale: string): string {
  const [lang, region] = locale.replace('_', '-').split('-');
  return region ? `${lang.toLowerCase()}-${region.toUpperCase()}` : lang.toLowerCase();
}

export function shopperLocale(ctx: Pick<DecisionContext, 'shopper' | 'defaultLocale'>): string {
  return normalizeLocale(ctx.shopper.locale ?? ctx.defaultLocale);
}

/** Rules about the shopper and the store, whatever the offer; the first that fails. */
export function shopperBlock(ctx: DecisionContext): ShopperSkip | null {
  if (ctx.shopper.optedOut) return 'opted_out';
  // A location shared in the chat is itself a message: it opens the window.
  const chatShareMs = ctx.transition.locationSource === 'messenger' ? Date.parse(ctx.transition.sharedAt) : null;
  const last = Math.max(ctx.shopper.lastInboundAtMs ?? -Infinity, chatShareMs ?? -Infinity);
  if (!Number.isFinite(last) || ctx.nowMs - last > ctx.windowHours * 3_600_000) return 'outside_window';
  if (!ctx.store) return 'store_unknown';
  const hours = storeHoursVerdict(ctx.nowMs, ctx.store.timezone, ctx.store.openingHours, ctx.store.country ?? null);
  if (hours === 'invalid_hours') return 'store_hours_invalid';
  if (hours === 'closed') return 'store_closed';
  if (ctx.quietHours && isQuietHours(ctx.nowMs, shopperZone(ctx), ctx.quietHours)) return 'quiet_hours';
  return null;
}

/** `wanted` already normalised (normalizeLocale). */
const matchesLocale = (wanted: string[], locale: string): boolean => {
  // The locale itself, or its language (what precedes the first '-'), without cutting a string.
  const dash = locale.indexOf('-');
  for (const w of wanted) if (w === locale || (w.length === dash && locale.startsWith(w))) return true;
  return false;
};

/** The shopper's interest in what an offer targets: the sum of their scores for its interests. */
export function interestScore(offer: OfferSnapshot, interests: Record<string, number>): number {
  const wanted = factsOf(offer).interests;
  if (!wanted) return 0;
  let sum = 0;
  for (const interest of wanted) sum += interests[interest] ?? 0;
  return sum;
}

/** Every rule one offer fails for this visit (empty: eligible, before counters). */
export function offerBlocks(offer: OfferSnapshot, ctx: DecisionContext, locale?: string): OfferSkip[] {
  return (blocksOf(offer, ctx, locale ?? shopperLocale(ctx), null) as OfferSkip[] | null) ?? [];
}

// Most rejected offers fail one rule: their reasons are one shared, frozen list per rule (read
// only: explain copies nothing out of them), not a new array per offer and decision.
const ONE_REASON = new Map<SkipReason, SkipReason[]>();
function oneReason(reason: SkipReason): SkipReason[] {
  let list = ONE_REASON.get(reason);
  if (!list) {
    list = Object.freeze([reason]) as SkipReason[];
    ONE_REASON.set(reason, list);
  }
  return list;
}

/**
 * `first` (the shopper's block, if any), then every rule the offer fails; null when none: an
 * eligible offer allocates nothing (evaluate runs this for every offer of every decision).
 */
function blocksOf(offer: OfferSnapshot, ctx: DecisionContext, locale: string, first: SkipReason | null): SkipReason[] | null {
  // Failed rules gather in one scratch list (this runs synchronously); what is returned is a
  // shared list for one rule, a copy for several.
  // (Counted, not emptied: setting an array's length to 0 drops its storage, and the next push
  // allocates it again.)
  const failed = scratch;
  let n = 0;
  if (first) failed[n++] = first;
  if (offer.status !== 'active') failed[n++] = 'offer_not_active';
  const facts = factsOf(offer);
  if (ctx.nowMs < facts.startsMs) failed[n++] = 'offer_not_started';
  if (ctx.nowMs >= facts.endsMs) failed[n++] = 'offer_ended';
  if (!isForStore(offer, ctx.transition.storeId)) failed[n++] = 'not_for_this_store';
  const trigger = triggerBlock(offer, ctx.transition);
  if (trigger) failed[n++] = trigger;
  if (facts.locales && !matchesLocale(facts.locales, locale)) failed[n++] = 'audience_locale';
  if (facts.tags) {
    const tags = tagSetOf(ctx.shopper.tags);
    let any = false;
    for (const t of facts.tags) any ||= tags.has(t);
    if (!any) failed[n++] = 'audience_tags';
  }
  if (facts.interests) {
    let best = 0;
    for (const interest of facts.interests) best = Math.max(best, ctx.shopper.interests[interest] ?? 0);
    if (best < ctx.interestThreshold) failed[n++] = 'audience_interests';
  }
  return n === 0 ? null : n === 1 ? oneReason(failed[0]) : failed.slice(0, n);
}
/** Room for every rule blocksOf checks, and the shopper's block. */
const scratch: SkipReason[] = new Array<SkipReason>(16).fill('no_offer');

/**
 * An "enter" offer fires on entering; a "dwell" offer on a dwell transition once the shopper has
 * been inside for the offer's dwellSeconds. A dwell transition that does not say how long the
 * shopper has been inside cannot prove it: the offer is skipped (fail closed).
 */
export function triggerBlock(offer: OfferSnapshot, transition: GeofenceTransition): OfferSkip | null {
  if (offer.trigger !== transition.transition) return 'trigger_mismatch';
  if (offer.trigger === 'dwell') {
    if (transition.dwellSeconds === undefined) return 'dwell_time_unknown';
    if (transition.dwellSeconds < (offer.dwellSeconds ?? 0)) return 'dwell_too_short';
  }
  return null;
}

export interface RankedOffer {
  offer: OfferSnapshot;
  interestScore: number;
  distanceM: number;
}

/**
 * Best first: priority, then the shopper's interest in the offer, then distance to the offer's
 * store (today one transition is one store, so equal within a decision), then offerId as a
 * deterministic tie-break so every replica ranks alike.
 */
export function compareRanked(a: RankedOffer, b: RankedOffer): number {
  return (
    b.offer.priority - a.offer.priority ||
    b.interestScore - a.interestScore ||
    a.distanceM - b.distanceM ||
    (a.offer.offerId < b.offer.offerId ? -1 : a.offer.offerId > b.offer.offerId ? 1 : 0)
  );
}

export interface Evaluation {
  /** A rule about the shopper or the store that rules out every offer. */
  blocked: ShopperSkip | null;
  /** Offers that pass every rule, best first; the counters decide among them. */
  ranked: RankedOffer[];
  /** Offers ruled out, with every rule each one failed. */
  rejected: { offerId: string; reasons: SkipReason[]; interestScore: number }[];
  /** The shopper's calendar day (per-day caps) in their zone. */
  day: string;
  locale: string;
}

/**
 * Judges the brand's offers for this visit. Offers meant for other stores are not "considered"
 * (a brand with hundreds of stores would otherwise list them all); pass them and they are
 * rejected as not_for_this_store.
 */
export function evaluate(offers: OfferSnapshot[], ctx: DecisionContext): Evaluation {
  const blocked = shopperBlock(ctx);
  const locale = shopperLocale(ctx);
  const ranked: RankedOffer[] = [];
  const rejected: Evaluation['rejected'] = [];
  for (const offer of offers) {
    const score = interestScore(offer, ctx.shopper.interests);
    const reasons = blocksOf(offer, ctx, locale, blocked);
    if (reasons) rejected.push(score === 0 && reasons.length === 1 ? sharedRejection(offer, reasons) : { offerId: offer.offerId, reasons, interestScore: score });
    else ranked.push({ offer, interestScore: score, distanceM: ctx.transition.distanceM });
  }
  ranked.sort(compareRanked);
  return { blocked, ranked, rejected, day: localDay(ctx.nowMs, shopperZone(ctx)), locale };
}

// An offer rejected for one rule, with no interest score, is rejected alike in every decision
// that rejects it so: one shared, frozen record per offer and rule (its reasons list is shared too).
type Rejection = Evaluation['rejected'][number];
const sharedRejections = new WeakMap<OfferSnapshot, Map<SkipReason[], Rejection>>();
function sharedRejection(offer: OfferSnapshot, reasons: SkipReason[]): Rejection {
  let byReasons = sharedRejections.get(offer);
  if (!byReasons) {
    byReasons = new Map();
    sharedRejections.set(offer, byReasons);
  }
  let rejection = byReasons.get(reasons);
  if (!rejection) {
    rejection = Object.freeze({ offerId: offer.offerId, reasons, interestScore: 0 });
    byReasons.set(reasons, rejection);
  }
  return rejection;
}

/** What the atomic reservation answered for the ranked offers, in rank order. */
export interface ReservationResult {
  /** The offer reserved, or null. */
  reservedOfferId: string | null;
  /** Offers tried before it (or all of them) and the counter each one hit. */
  refused: { offerId: string; reason: ReservationSkip }[];
}

export interface Considered {
  offerId: string;
  /** The first (or only) reason; `chosen`, `outranked` or `not_tried` for offers that passed the rules. */
  reason: string;
  /** Every rule the offer failed, when more than one. */
  reasons?: string[];
  /** The shopper's interest in the offer, when any. */
  interestScore?: number;
}

export interface Decision {
  offer: OfferSnapshot | null;
  reason: SkipReason | null;
  considered: Considered[];
}

/** Joins the rules' verdicts and the reservation's into the decision and its explanation. */
export function explain(evaluation: Evaluation, reservation: ReservationResult): Decision {
  const considered: Considered[] = [];
  // Most decisions reserve their best offer: no refusals to look up.
  const refused = reservation.refused.length > 0 ? new Map(reservation.refused.map((r) => [r.offerId, r.reason])) : null;
  let chosen: OfferSnapshot | null = null;
  for (const r of evaluation.ranked) {
    const hit = refused?.get(r.offer.offerId);
    let reason: string;
    if (hit) reason = hit;
    else if (r.offer.offerId === reservation.reservedOfferId) {
      chosen = r.offer;
      reason = 'chosen';
    } else reason = chosen ? 'outranked' : 'not_tried';
    considered.push(entry(r.offer.offerId, reason, null, r.interestScore));
  }
  for (const r of evaluation.rejected) considered.push(entry(r.offerId, r.reasons[0], r.reasons, r.interestScore));
  if (chosen) return { offer: chosen, reason: null, considered };
  return { offer: null, reason: overallReason(evaluation, reservation), considered };
}

/**
 * One line of the explanation, kept small (it is stored for every offer of every decision). A
 * line with one reason and no interest score is the same for every decision of the offer: it is
 * made once and shared (frozen: nothing writes to an explanation once made).
 */
function entry(offerId: string, reason: string, reasons: string[] | null, interestScore: number): Considered {
  const several = reasons !== null && reasons.length > 1;
  if (!several && !(interestScore > 0)) return sharedLines.get(offerId, reason);
  const line: Considered = { offerId, reason };
  if (several) line.reasons = reasons;
  if (interestScore > 0) line.interestScore = Math.round(interestScore * 1000) / 1000;
  return line;
}

const sharedLines = new OfferReasonMemo<Considered>((offerId, reason) => Object.freeze({ offerId, reason }));

/** Why nothing was sent, in one word: the reason that stopped the offer that would have won. */
function overallReason(evaluation: Evaluation, reservation: ReservationResult): SkipReason {
  if (evaluation.blocked) return evaluation.blocked;
  if (reservation.refused.length > 0) return reservation.refused[0].reason;
  if (evaluation.rejected.length === 0) return 'no_offer';
  const first = evaluation.rejected.map((r) => r.reasons[0]);
  return first.every((r) => r === first[0]) ? first[0] : 'no_eligible_offer';
}
