/** What to do about a Send API error (MESSENGER.md's table). */
export type SendErrorAction = 'retry' | 'skip_shopper' | 'policy_skip' | 'pause_page' | 'drop' | 'unreachable' | 'unknown_outcome';

export interface GraphError {
  code: number;
  subcode: number | null;
  message: string;
}

/**
 * `httpStatus` 0 means no answer: `timedOut` tells a call that may have reached Meta (we cannot
 * know whether the shopper got it, so it is never repeated) from one that never left (refused
 * connection: safe to retry).
 */
export function classifySendError(
  error: GraphError | null,
  httpStatus: number,
  timedOut = false,
): { action: SendErrorAction; reason: string } {
  if (!error) {
    if (httpStatus === 0) return timedOut ? { action: 'unknown_outcome', reason: 'timeout' } : { action: 'retry', reason: 'unreachable_api' };
    return httpStatus >= 500 ? { action: 'retry', reason: 'temporary' } : { action: 'drop', reason: 'unexpected_response' };
  }
  const { code, subcode } = error;
  if ([1, 2, 1200].includes(code)) return { action: 'retry', reason: 'temporary' };
  if ([4, 613, 80006].includes(code)) return { action: 'retry', reason: 'rate_limited' };
  if (code === 9 && subcode === 2018352) return { action: 'skip_shopper', reason: 'shopper_too_active' };
  if (code === 10 && subcode === 2018278) return { action: 'policy_skip', reason: 'outside_window' };
  if (code === 10 && subcode === 1893063) return { action: 'pause_page', reason: 'page_restricted' };
  if (code === 100 && subcode === 2018001) return { action: 'drop', reason: 'no_matching_user' };
  if (code === 100) return { action: 'drop', reason: 'invalid_parameter' };
  if (code === 190) return { action: 'pause_page', reason: 'invalid_token' };
  if (code === 551 || subcode === 1545041) return { action: 'unreachable', reason: 'shopper_unavailable' };
  if (httpStatus >= 500) return { action: 'retry', reason: 'temporary' };
  return { action: 'drop', reason: `graph_error_${code}` };
}
