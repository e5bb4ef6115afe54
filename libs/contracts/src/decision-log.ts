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
  considered: z.array(z.object({ offerId: z.string(), reason: z.string() })),
  request: PromotionSendRequest.nullable(),
});
export type DecisionLogEntry = z.infer<typeof DecisionLogEntry>;

/** A shopper's recent decisions, newest first (a capped Redis list). */
export const decisionLogKey = (shopperId: string) => `pe:decisions:{sh:${shopperId}}`;
export const DECISION_LOG_TTL_SECONDS = 30 * 24 * 3600;
