import { distanceM } from '@app/geo';

export interface QualityPolicy {
  maxAccuracyM: number;
  maxFixAgeSeconds: number;
  maxSpeedKmh: number;
}

export interface Fix {
  lat: number;
  lng: number;
  accuracyM: number | null;
  sharedAtMs: number;
}

export type RejectReason = 'poor_accuracy' | 'stale' | 'from_future' | 'out_of_order' | 'impossible_speed';

/** Clock skew tolerated between a shopper's device and us. */
const FUTURE_TOLERANCE_MS = 60_000;

/** The checks that need no state: accuracy and age (run before any Redis call). */
export function judgeFixAlone(fix: Fix, nowMs: number, policy: QualityPolicy): RejectReason | null {
  if (fix.accuracyM !== null && fix.accuracyM > policy.maxAccuracyM) return 'poor_accuracy';
  if (fix.sharedAtMs > nowMs + FUTURE_TOLERANCE_MS) return 'from_future';
  if (nowMs - fix.sharedAtMs > policy.maxFixAgeSeconds * 1000) return 'stale';
  return null;
}

/**
 * Whether a fix may count as a visit, and if not why. `previous` is the shopper's last accepted
 * fix. Unknown accuracy (Messenger pins) is accepted: a pin is placed by hand, on purpose.
 */
export function judgeFix(fix: Fix, previous: Fix | null, nowMs: number, policy: QualityPolicy): RejectReason | null {
  const alone = judgeFixAlone(fix, nowMs, policy);
  if (alone) return alone;
  if (previous) {
    if (fix.sharedAtMs <= previous.sharedAtMs) return 'out_of_order';
    const hours = (fix.sharedAtMs - previous.sharedAtMs) / 3_600_000;
    // Both fixes' uncertainty is allowed for before calling the jump impossible.
    const slackM = (fix.accuracyM ?? 0) + (previous.accuracyM ?? 0);
    const km = Math.max(0, distanceM(fix, previous) - slackM) / 1000;
    if (km / hours > policy.maxSpeedKmh) return 'impossible_speed';
  }
  return null;
}
