import { LatLng, PreparedFence, distanceM } from '@app/geo';

/** A visit in progress, as the visit state keeps it. */
export interface OpenVisit {
  visitId: string;
  enteredAtMs: number;
  /** How far dwell has been emitted: the time inside (s) the visit's last dwell carried; 0 before any. */
  dwelledSeconds: number;
}

export interface FenceCandidate {
  storeId: string;
  location: LatLng;
  fence: PreparedFence;
  /** The dwell times (s) of the store's live dwell offers, ascending; empty: no dwell to emit. */
  dwellThresholdsS: readonly number[];
}

export interface VisitPolicy {
  /** How far outside a fence, beyond the fix's accuracy, a visit ends. */
  exitHysteresisM: number;
}

export interface ProposedTransitions {
  enter: { storeId: string; distanceM: number }[];
  /**
   * `dwellSeconds`: time inside so far (what the engine compares with an offer's dwellSeconds);
   * `thresholdS`: the threshold this share crossed first, which the visit state checks is still
   * unemitted when it applies the dwell (so a stale proposal never emits a threshold twice).
   */
  dwell: { storeId: string; visitId: string; distanceM: number; dwellSeconds: number; thresholdS: number }[];
  exit: { storeId: string; visitId: string; distanceM: number }[];
}

/**
 * What a fix would change, given the stores whose fence may hold it and the shopper's open visits
 * (the visit state applies it atomically, so a proposal made twice is applied once). Accuracy
 * policy (docs/geofence.md): a visit starts only when the reported point is inside the fence (a
 * vague fix across the street does not enter); it ends only when the point is outside by more than
 * the hysteresis margin plus the fix's accuracy (a jittery fix at the edge does not flap).
 * `candidates` must include every store within its reach plus that slack of the fix.
 *
 * Dwell: a later share inside, once the time inside has crossed one or more of the store's dwell
 * thresholds not yet emitted, proposes ONE dwell carrying the whole time inside; thresholds it
 * crossed together are covered by that one event (the engine compares the time inside with each
 * offer's dwellSeconds). Each threshold thus causes at most one dwell per visit.
 */
export function proposeTransitions(
  fix: LatLng & { accuracyM: number | null; sharedAtMs: number },
  candidates: FenceCandidate[],
  open: ReadonlyMap<string, OpenVisit>,
  policy: VisitPolicy,
): ProposedTransitions {
  const out: ProposedTransitions = { enter: [], dwell: [], exit: [] };
  const slackM = policy.exitHysteresisM + (fix.accuracyM ?? 0);
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.storeId)) continue;
    seen.add(c.storeId);
    const visit = open.get(c.storeId);
    const d = distanceM(fix, c.location);
    if (c.fence.contains(fix)) {
      if (!visit) out.enter.push({ storeId: c.storeId, distanceM: d });
      else {
        const dwellSeconds = Math.floor((fix.sharedAtMs - visit.enteredAtMs) / 1000);
        const thresholdS = nextDwellThreshold(c.dwellThresholdsS, visit.dwelledSeconds, dwellSeconds);
        if (thresholdS !== null) out.dwell.push({ storeId: c.storeId, visitId: visit.visitId, distanceM: d, dwellSeconds, thresholdS });
      }
    } else if (visit && (d - c.fence.reachM > slackM || c.fence.distanceOutsideM(fix) > slackM)) {
      // Farther from the store's location than its reach plus the slack is surely outside by more
      // than the slack: the exact distance to a polygon (turf, costly) is needed only near the rim.
      out.exit.push({ storeId: c.storeId, visitId: visit.visitId, distanceM: d });
    }
  }
  // An open visit whose store is not even a candidate is farther than the slack from its fence.
  for (const [storeId, visit] of open) {
    if (!seen.has(storeId)) out.exit.push({ storeId, visitId: visit.visitId, distanceM: 0 });
  }
  return out;
}

/**
 * The smallest threshold in (dwelledSeconds, elapsedS], or null: the one a share inside crosses
 * first when dwell has been emitted up to `dwelledSeconds` and the visit is `elapsedS` old.
 */
export function nextDwellThreshold(thresholdsS: readonly number[], dwelledSeconds: number, elapsedS: number): number | null {
  for (const t of thresholdsS) {
    if (t > elapsedS) return null;
    if (t > dwelledSeconds) return t;
  }
  return null;
}
