/** GET /v1/offers/:id/stats and its timeseries, shaped for the charts. Pure. */
// The API's own answer type (erased at build: nothing of brand-api's server code reaches the bundle).
import type { OfferStats } from '../../src/stats/offer-stats';
export type { OfferStats };

export interface TimeseriesPoint {
  at: string;
  requested: number;
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  skipped: number;
  failed: number;
  expired: number;
  skippedByReason: Record<string, number>;
}

export interface OfferTimeseries {
  offerId: string;
  storeId: string | null;
  bucket: 'hour' | 'day';
  from: string;
  to: string;
  points: TimeseriesPoint[];
}

export const FUNNEL_STEPS = ['requested', 'sent', 'delivered', 'read', 'clicked'] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

/** Each funnel step with its share of the step before (null for the first, or after a zero). */
export function funnel(stats: Pick<OfferStats, FunnelStep>): { step: FunnelStep; count: number; ofPrevious: number | null }[] {
  return FUNNEL_STEPS.map((step, i) => {
    const previous = i === 0 ? 0 : stats[FUNNEL_STEPS[i - 1]];
    return { step, count: stats[step], ofPrevious: i === 0 || previous === 0 ? null : stats[step] / previous };
  });
}

/** Every skip reason seen in the window, most frequent first, so stacked series keep one order. */
export function skipReasons(points: TimeseriesPoint[]): string[] {
  const totals = new Map<string, number>();
  for (const p of points) for (const [reason, n] of Object.entries(p.skippedByReason)) totals.set(reason, (totals.get(reason) ?? 0) + n);
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reason]) => reason);
}

/** One series per funnel step over the window (the line chart). */
export function funnelSeries(series: OfferTimeseries): { labels: string[]; datasets: { step: FunnelStep; data: number[] }[] } {
  return {
    labels: series.points.map((p) => p.at),
    datasets: FUNNEL_STEPS.map((step) => ({ step, data: series.points.map((p) => p[step]) })),
  };
}

/** One series per skip reason over the window (the stacked bar chart). */
export function skipSeries(series: OfferTimeseries): { labels: string[]; datasets: { reason: string; data: number[] }[] } {
  return {
    labels: series.points.map((p) => p.at),
    datasets: skipReasons(series.points).map((reason) => ({ reason, data: series.points.map((p) => p.skippedByReason[reason] ?? 0) })),
  };
}

/** Sums a store's points (the store panel's totals). */
export function totalsOf(points: TimeseriesPoint[]): Record<FunnelStep | 'skipped', number> {
  const totals = { requested: 0, sent: 0, delivered: 0, read: 0, clicked: 0, skipped: 0 };
  for (const p of points) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += p[k];
  return totals;
}
