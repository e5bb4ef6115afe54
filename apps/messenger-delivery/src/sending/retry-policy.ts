/**
 * When to try a temporarily failed send again: the n-th retry waits about `delaysMs[n-1]`
 * (1 s, 10 s, 1 min, 10 min by default), ±20 % jitter so that a burst of failures does not come
 * back as a burst. Pure; the random draw in [0, 1) is passed in.
 */
export function retryDelayMs(retry: number, delaysMs: readonly number[], random: number): number | null {
  if (retry < 1 || retry > delaysMs.length) return null;
  const base = delaysMs[retry - 1];
  return Math.round(base * (0.8 + 0.4 * random));
}
