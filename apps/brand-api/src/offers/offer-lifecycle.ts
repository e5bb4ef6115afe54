import type { OfferStatus } from '@app/contracts';

/**
 * An offer's lifecycle: draft → active ⇄ paused → ended. Ended is final: an ended offer is kept
 * for its stats and can be neither changed nor revived (create a new one).
 */
const NEXT: Record<OfferStatus, readonly OfferStatus[]> = {
  draft: ['active', 'ended'],
  active: ['paused', 'ended'],
  paused: ['active', 'ended'],
  ended: [],
};

/** Why an offer may not go from one status to another, or null when it may. */
export function transitionProblem(from: OfferStatus, to: OfferStatus): string | null {
  if (from === to) return null;
  if (NEXT[from].includes(to)) return null;
  if (from === 'ended') return 'the offer has ended; ended is final';
  return `cannot go from ${from} to ${to} (allowed: ${NEXT[from].join(', ')})`;
}

/** An offer cannot be activated once its window is over. */
export function activationProblem(status: OfferStatus, endsAt: Date, now: Date): string | null {
  return status === 'active' && endsAt.getTime() <= now.getTime() ? 'endsAt is in the past: the offer cannot be active' : null;
}
