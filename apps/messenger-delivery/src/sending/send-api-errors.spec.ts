import { classifySendError } from './send-api-errors';

const e = (code: number, subcode: number | null = null) => ({ code, subcode, message: 'x' });

describe('classifySendError', () => {
  it('follows the Send API error table', () => {
    expect(classifySendError(e(2), 500).action).toBe('retry');
    expect(classifySendError(e(613), 400)).toEqual({ action: 'retry', reason: 'rate_limited' });
    expect(classifySendError(e(10, 2018278), 400)).toEqual({ action: 'policy_skip', reason: 'outside_window' });
    expect(classifySendError(e(10, 1893063), 400).action).toBe('pause_page');
    expect(classifySendError(e(100, 2018001), 400).reason).toBe('no_matching_user');
    expect(classifySendError(e(100), 400).reason).toBe('invalid_parameter');
    expect(classifySendError(e(190), 400)).toEqual({ action: 'pause_page', reason: 'invalid_token' });
    expect(classifySendError(e(551, 1545041), 400).action).toBe('unreachable');
    expect(classifySendError(e(9, 2018352), 400).action).toBe('skip_shopper');
    expect(classifySendError(null, 503).action).toBe('retry');
  });

  it('retries a call that never left, never one that may have reached Meta', () => {
    expect(classifySendError(null, 0, false).action).toBe('retry');
    expect(classifySendError(null, 0, true)).toEqual({ action: 'unknown_outcome', reason: 'timeout' });
  });
});
