/** What to do about a Send API error (MESSENGER.md's table). */
export type SendErrorAction = 'retry' | 'skip_shopper' | 'policy_skip' | 'pause_page' | 'drop' | 'unreachable';

export interface GraphError {
  code: number;
  subcode: number | null;
  message: string;
}

export function classifySendError(error: GraphError | null, httpStatus: number): { action: SendErrorAction; reason: string } {
  if (!error) {
    return httpStatus >= 500 || httpStatus === 0 ? { action: 'retry', reason: 'temporary' } : { action: 'drop', reason: 'unexpected_response' };
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
