import { z } from 'zod';

/** `GET /v1/offers/:id/stats/timeseries` query: a UTC window cut into hours or days. */
export const TimeseriesQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    bucket: z.enum(['hour', 'day']).default('hour'),
    /** Only the sends made at this store. */
    storeId: z.uuid().optional(),
  })
  .strict();
export type TimeseriesQuery = z.infer<typeof TimeseriesQuery>;

export type Bucket = 'hour' | 'day';
const BUCKET_MS: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };
/** Default window when `from` is missing: a day of hours, or thirty days. */
const DEFAULT_SPAN: Record<Bucket, number> = { hour: 24, day: 30 };
/** At most this many points in one answer (a month of hours, a year of days). */
export const MAX_POINTS: Record<Bucket, number> = { hour: 31 * 24, day: 366 };

export interface TimeWindow {
  bucket: Bucket;
  /** First bucket's start (inclusive), UTC, aligned on the bucket. */
  from: Date;
  /** Last bucket's end (exclusive). */
  to: Date;
}

export type WindowError = { field: 'from' | 'to'; message: string };

/** Aligns the asked window on whole buckets; `now` when `to` is missing. Pure. */
export function resolveWindow(query: Pick<TimeseriesQuery, 'from' | 'to' | 'bucket'>, now: Date): TimeWindow | WindowError {
  const size = BUCKET_MS[query.bucket];
  const toMs = Math.ceil((query.to ? Date.parse(query.to) : now.getTime()) / size) * size;
  const fromMs = Math.floor((query.from ? Date.parse(query.from) : toMs - DEFAULT_SPAN[query.bucket] * size) / size) * size;
  if (fromMs >= toMs) return { field: 'to', message: 'must be after from' };
  if ((toMs - fromMs) / size > MAX_POINTS[query.bucket]) {
    return { field: 'from', message: `at most ${MAX_POINTS[query.bucket]} ${query.bucket}s per request` };
  }
  return { bucket: query.bucket, from: new Date(fromMs), to: new Date(toMs) };
}

/** One counted event kind in one bucket, as the repository reads it. */
export interface BucketCount {
  bucket: Date;
  /** requested, sent, delivered, read, clicked, or an outcome that is not a send: skipped, failed, expired. */
  kind: string;
  reason: string | null;
  n: number;
}

export interface TimeseriesPoint {
  /** Start of the bucket (UTC). */
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
  bucket: Bucket;
  from: string;
  to: string;
  points: TimeseriesPoint[];
}

const COUNTED = ['requested', 'sent', 'delivered', 'read', 'clicked', 'skipped', 'failed', 'expired'] as const;

/**
 * Each event in the bucket where it happened: requested and the outcomes that are not a send at
 * the outcome's time, sent / delivered / read / clicked at their own times. Every bucket of the
 * window is present, empty ones with zeros, so charts need no gap filling. Pure.
 */
export function toTimeseries(offerId: string, storeId: string | null, window: TimeWindow, counts: BucketCount[]): OfferTimeseries {
  const size = BUCKET_MS[window.bucket];
  const points: TimeseriesPoint[] = [];
  for (let t = window.from.getTime(); t < window.to.getTime(); t += size) {
    points.push({ at: new Date(t).toISOString(), requested: 0, sent: 0, delivered: 0, read: 0, clicked: 0, skipped: 0, failed: 0, expired: 0, skippedByReason: {} });
  }
  for (const c of counts) {
    const index = Math.floor((c.bucket.getTime() - window.from.getTime()) / size);
    const point = points[index];
    const kind = COUNTED.find((k) => k === c.kind);
    if (!point || !kind) continue;
    point[kind] += c.n;
    if (kind === 'skipped') {
      const reason = c.reason ?? 'unspecified';
      point.skippedByReason[reason] = (point.skippedByReason[reason] ?? 0) + c.n;
    }
  }
  return { offerId, storeId, bucket: window.bucket, from: window.from.toISOString(), to: window.to.toISOString(), points };
}
