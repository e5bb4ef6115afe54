import type { OutcomeCount } from './delivery.repository';

export interface OfferStats {
  offerId: string;
  /** Promotions the engine asked to send (every one ends with exactly one outcome below). */
  requested: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  failed: number;
  expired: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  failedByReason: Record<string, number>;
}

/** Folds the per-outcome counts of an offer's sends into its stats (pure). */
export function toOfferStats(offerId: string, counts: OutcomeCount[]): OfferStats {
  const stats: OfferStats = {
    offerId,
    requested: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    clicked: 0,
    failed: 0,
    expired: 0,
    skipped: 0,
    skippedByReason: {},
    failedByReason: {},
  };
  for (const c of counts) {
    stats.requested += c.n;
    stats.delivered += c.delivered;
    stats.read += c.read;
    stats.clicked += c.clicked;
    if (c.status === 'sent' || c.status === 'failed' || c.status === 'expired' || c.status === 'skipped') stats[c.status] += c.n;
    const reason = c.reason ?? 'unspecified';
    if (c.status === 'skipped') stats.skippedByReason[reason] = (stats.skippedByReason[reason] ?? 0) + c.n;
    if (c.status === 'failed') stats.failedByReason[reason] = (stats.failedByReason[reason] ?? 0) + c.n;
  }
  return stats;
}
