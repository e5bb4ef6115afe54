import { z } from 'zod';
import { PromotionSendRequest } from './events/decisions';
import { OfferReasonMemo } from './offer-reason-memo';

/**
 * The promotion engine's decision log, kept in Redis for 30 days and read (brand-scoped) by
 * brand-api's GET /v1/decisions. The engine writes it; this module is the contract between them:
 * the entry as served (DecisionLogEntry) and the way `considered` is stored (packConsidered,
 * readDecisionLogEntry).
 */
export const DecisionLogEntry = z.object({
  visitId: z.string(),
  decidedAt: z.string(),
  /** Why nothing was sent (a rule's reason), or null when a promotion was requested. */
  reason: z.string().nullable(),
  /** Every offer considered and why it was or was not chosen. */
  considered: z.array(
    z.object({
      offerId: z.string(),
      reason: z.string(),
      /** Every rule the offer failed (the first is `reason`); added by the engine, optional. */
      reasons: z.array(z.string()).optional(),
      /** The shopper's interest score for the offer's audience interests (ranking input). */
      interestScore: z.number().optional(),
    }),
  ),
  request: PromotionSendRequest.nullable(),
  /** send: a promotion was requested; control: chosen but held out (A/B control); skip: nothing. */
  outcome: z.enum(['send', 'control', 'skip']).optional(),
  /** The offer chosen (also set for the control group, where `request` is null). */
  offerId: z.string().optional(),
  /** The A/B arm: a variant id, "default", or "control". */
  arm: z.string().optional(),
  storeId: z.string().optional(),
  transition: z.string().optional(),
  /** The location event behind the transition (one decision per trigger). */
  triggerId: z.string().optional(),
  brandId: z.string().optional(),
});
export type DecisionLogEntry = z.infer<typeof DecisionLogEntry>;
export type ConsideredOffer = DecisionLogEntry['considered'][number];

/**
 * The reasons an offer is listed with, numbered for the stored form. APPEND ONLY: stored entries
 * refer to these numbers for 30 days.
 */
export const CONSIDERED_REASONS: readonly string[] = [
  'chosen', 'outranked', 'not_tried',
  'opted_out', 'outside_window', 'store_unknown', 'store_hours_invalid', 'store_closed', 'quiet_hours',
  'offer_not_active', 'offer_not_started', 'offer_ended', 'not_for_this_store', 'trigger_mismatch', 'dwell_too_short', 'dwell_time_unknown',
  'audience_locale', 'audience_tags', 'audience_interests',
  'one_per_visit', 'one_per_share', 'cooldown', 'cap_total', 'cap_per_day', 'budget_exhausted',
];
const REASON_CODES = new Map(CONSIDERED_REASONS.map((reason, code) => [reason, code]));
const codeOf = (reason: string): number | string => REASON_CODES.get(reason) ?? reason;
const reasonOf = (code: unknown): unknown => (typeof code === 'number' ? CONSIDERED_REASONS[code] : code);

/**
 * `considered` as stored, JSON: each offer as `[offerId, reason]` or `[offerId, [reasons…]]` (when
 * it failed several rules; the first is its reason), with the interest score as a third element
 * when it has one; a reason is its number in CONSIDERED_REASONS (its name when it has none). Every
 * decision stores every offer of the store (20 or more), so this halves the log's size, and the
 * engine's and Redis's work with it. An offer this form cannot say exactly stays an object.
 */
export function packConsidered(considered: readonly ConsideredOffer[]): string {
  // What JSON.stringify of the packed items writes, byte for byte, from one cached fragment per
  // offer and reason (the same few hundred recur in every decision of a store): a flat string
  // from one join rather than an array per offer and a stringify (a string built with += is a
  // rope, which every later reader of it, ioredis's byteLength first, must flatten again).
  if (considered.length === 0) return '[]';
  const parts: string[] = new Array(considered.length);
  for (let i = 0; i < considered.length; i += 1) {
    const c = considered[i];
    let item: string;
    if (c.reasons == null) {
      const [closed, open] = fragments.get(c.offerId, c.reason);
      item = c.interestScore === undefined ? closed : `${open},${JSON.stringify(c.interestScore)}]`;
    } else if (c.reasons.length === 0 || c.reasons[0] !== c.reason) item = JSON.stringify(c);
    else {
      const reason = c.reasons.map(codeOf);
      item = JSON.stringify(c.interestScore === undefined ? [c.offerId, reason] : [c.offerId, reason, c.interestScore]);
    }
    parts[i] = i === 0 ? `[${item}` : item;
  }
  parts[parts.length - 1] += ']';
  return parts.join(',');
}

/** `[offerId,reason]` and the same without its `]`, as JSON, per offer and reason. */
const fragments = new OfferReasonMemo<[string, string]>((offerId, reason) => {
  const open = `[${JSON.stringify(offerId)},${JSON.stringify(codeOf(reason))}`;
  return [`${open}]`, open];
});

function unpackOffer(item: unknown): unknown {
  if (!Array.isArray(item)) return item;
  const [offerId, reason, interestScore] = item as unknown[];
  const offer: Record<string, unknown> = Array.isArray(reason)
    ? { offerId, reason: reasonOf(reason[0]), reasons: reason.map(reasonOf) }
    : { offerId, reason: reasonOf(reason) };
  if (item.length > 2) offer.interestScore = interestScore;
  return offer;
}

/**
 * A stored log entry (or a replay record) back as the engine decided it, to be validated with
 * DecisionLogEntry: the JSON parsed and `considered` unpacked (entries stored before the packed
 * form hold objects, which pass as they are). Throws on text that is not JSON.
 */
export function readDecisionLogEntry(raw: string): unknown {
  const entry = JSON.parse(raw) as unknown;
  if (entry && typeof entry === 'object' && Array.isArray((entry as { considered?: unknown }).considered)) {
    const stored = entry as { considered: unknown[] };
    stored.considered = stored.considered.map(unpackOffer);
  }
  return entry;
}

/**
 * A shopper's recent decisions, newest first (a capped Redis list), under the brand's hash tag like
 * every key the engine keeps per shopper: a batch of the brand's decisions is logged by one script.
 */
export const decisionLogKey = (brandId: string, shopperId: string) => `pe:decisions:{b:${brandId}}:${shopperId}`;
export const DECISION_LOG_TTL_SECONDS = 30 * 24 * 3600;
