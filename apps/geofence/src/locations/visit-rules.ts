import { LatLng, PreparedFence, distanceM } from '@app/geo';

/** A visit in progress, as the visit state keeps it. */
export interface OpenVisit {
  visitId: string;
  enteredAtMs: number;
  dwelled: boolean;
}

export interface FenceCandidate {
  storeId: string;
  location: LatLng;
  fence: PreparedFence;
}

export interface VisitPolicy {
  /** How far outside a fence, beyond the fix's accuracy, a visit ends. */
  exitHysteresisM: number;
  /** Seconds inside after which a later share inside emits `dwell` (once per visit). */
  dwellSeconds: number;
}

export interface ProposedTransitions {
  enter: { storeId: string; distanceM: number }[];
  dwell: { storeId: string; visitId: string; distanceM: number; dwellSeconds: number }[];
  exit: { storeId: string; visitId: string; distanceM: number }[];
}

/**
 * What a fix would change, given the stores whose fence may hold it and the shopper's open visits
 * (the visit state applies it atomically, so a proposal made twice is applied once). Accuracy
 * policy (docs/geofence.md): a visit starts only when the reported point is inside the fence (a
 * vague fix across the street does not enter); it ends only when the point is outside by more than
 * the hysteresis margin plus the fix's accuracy (a jittery fix at the edge does not flap).
 * `candidates` must include every store within its reach plus that slack of the fix.
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
      else if (!visit.dwelled && fix.sharedAtMs - visit.enteredAtMs >= policy.dwellSeconds * 1000) {
        const dwellSeconds = Math.floor((fix.sharedAtMs - visit.enteredAtMs) / 1000);
        out.dwell.push({ storeId: c.storeId, visitId: visit.visitId, distanceM: d, dwellSeconds });
      }
    } else if (visit && c.fence.distanceOutsideM(fix) > slackM) {
      out.exit.push({ storeId: c.storeId, visitId: visit.visitId, distanceM: d });
    }
  }
  // An open visit whose store is not even a candidate is farther than the slack from its fence.
  for (const [storeId, visit] of open) {
    if (!seen.has(storeId)) out.exit.push({ storeId, visitId: visit.visitId, distanceM: 0 });
  }
  return out;
}
