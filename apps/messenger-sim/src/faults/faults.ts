import { z } from 'zod';
import { GraphError, graphError } from '../send-api/graph-error';

/**
 * Failures the Send API injects before it looks at a request (MESSENGER.md error table): forced
 * errors for the next N calls, a per-Page calls-per-second limit, and random temporary errors.
 * Pure apart from the counters it keeps in the state it is given; time and chance are passed in.
 */
export const FaultConfig = z.strictObject({
  /** Share of calls answered with a temporary error, 0..1. */
  errorRate: z.number().min(0).max(1).optional(),
  /** The temporary error's code: 2 (default), 1 or 1200; answered with HTTP 500. */
  errorCode: z.union([z.literal(1), z.literal(2), z.literal(1200)]).optional(),
  /** Calls per second per Page; beyond it the call fails with `rateLimitCode`. */
  rateLimitPerSecond: z.number().int().positive().optional(),
  /** 613 (API, default), 4 (application) or 80006 (Page / thread). */
  rateLimitCode: z.union([z.literal(4), z.literal(613), z.literal(80006)]).optional(),
  /** Added to every Send API call before anything else. */
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  /** Forced errors, used in order: each answers the next `count` calls (of `pageId` when given). */
  failNext: z
    .array(
      z.strictObject({
        code: z.number().int().positive(),
        subcode: z.number().int().positive().optional(),
        count: z.number().int().positive().default(1),
        message: z.string().min(1).optional(),
        httpStatus: z.number().int().min(400).max(599).optional(),
        pageId: z.string().min(1).optional(),
      }),
    )
    .optional(),
  /** Pages answered 10 / 1893063 (temporarily restricted). */
  restrictedPages: z.array(z.string().min(1)).optional(),
});
export type FaultConfig = z.infer<typeof FaultConfig>;
type FailRule = NonNullable<FaultConfig['failNext']>[number];

export interface FaultState {
  config: FaultConfig;
  /** Forced errors still to answer, each with what is left of its count. */
  pending: FailRule[];
  /** Calls admitted in the current second, per Page. */
  windows: Map<string, { second: number; count: number }>;
  restricted: Set<string>;
}

export function faultState(config: FaultConfig = {}): FaultState {
  return {
    config,
    pending: (config.failNext ?? []).map((rule) => ({ ...rule })),
    windows: new Map(),
    restricted: new Set(config.restrictedPages ?? []),
  };
}

/** What GET /__sim/faults shows: the configuration, with the forced errors still pending. */
export function describeFaults(state: FaultState): FaultConfig {
  return { ...state.config, failNext: state.pending.map((rule) => ({ ...rule })) };
}

/**
 * The injected error for one call to `pageKey`, if any; `random` is a draw from [0, 1).
 * Order: forced errors, then the rate limit (only admitted calls count), then random errors.
 */
export function drawFault(
  state: FaultState,
  pageKey: string,
  nowMs: number,
  random: number,
): GraphError | undefined {
  const index = state.pending.findIndex(
    (rule) => rule.pageId === undefined || rule.pageId === pageKey,
  );
  if (index !== -1) {
    const rule = state.pending[index];
    rule.count -= 1;
    if (rule.count <= 0) state.pending.splice(index, 1);
    return graphError(rule.code, rule.subcode, rule.message, rule.httpStatus);
  }

  const limit = state.config.rateLimitPerSecond;
  if (limit !== undefined) {
    const second = Math.floor(nowMs / 1000);
    let window = state.windows.get(pageKey);
    if (!window || window.second !== second) {
      window = { second, count: 0 };
      state.windows.set(pageKey, window);
    }
    if (window.count >= limit) return graphError(state.config.rateLimitCode ?? 613);
    window.count += 1;
  }

  const rate = state.config.errorRate ?? 0;
  if (rate > 0 && random < rate) return graphError(state.config.errorCode ?? 2);
  return undefined;
}
