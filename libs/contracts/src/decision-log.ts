import { z } from 'zod';
import { PromotionSendRequest } from './events/decisions';

/**
 * The promotion engine's decision log, kept in Redis for 30 days and read (brand-scoped) by
 * brand-api's GET /v1/decisions. The engine writes it; this module is the contract between them.
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

/** A shopper's recent decisions, newest first (a capped Redis list). */
export const decisionLogKey = (shopperId: string) => `pe:decisions:{sh:${shopperId}}`;
export const DECISION_LOG_TTL_SECONDS = 30 * 24 * 3600;
