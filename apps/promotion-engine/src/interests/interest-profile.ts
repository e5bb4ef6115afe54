/**
 * A shopper's interest profile: category → score, each score decaying exponentially with a
 * half-life, so what they asked for last month weighs less than what they asked for today.
 * Pure; the repository stores each entry as its score at the instant it was last updated.
 */
export interface InterestEntry {
  score: number;
  atMs: number;
}
export type InterestProfile = Record<string, InterestEntry>;

export interface DecayPolicy {
  halfLifeMs: number;
  /** Scores below this are dropped from the profile. */
  floor: number;
}

export function decayedScore(entry: InterestEntry, nowMs: number, policy: DecayPolicy): number {
  const elapsed = Math.max(0, nowMs - entry.atMs);
  return entry.score * 0.5 ** (elapsed / policy.halfLifeMs);
}

/** Every category's score at `nowMs` (what the eligibility rules read). */
export function scoresAt(profile: InterestProfile, nowMs: number, policy: DecayPolicy): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const category in profile) {
    if (!Object.prototype.hasOwnProperty.call(profile, category)) continue;
    const score = decayedScore(profile[category], nowMs, policy);
    if (score >= policy.floor) scores[category] = score;
  }
  return scores;
}

/** Adds a message's classification to the profile at `nowMs`; returns the entries to store. */
export function reinforce(profile: InterestProfile, signal: Record<string, number>, nowMs: number, policy: DecayPolicy): InterestProfile {
  const updated: InterestProfile = {};
  for (const [category, weight] of Object.entries(signal)) {
    const previous = profile[category] ? decayedScore(profile[category], nowMs, policy) : 0;
    updated[category] = { score: previous + weight, atMs: nowMs };
  }
  return updated;
}
