import { releasesReservation } from './settle-reservation.usecase';

describe('releasesReservation: which delivery outcomes give caps and budget back', () => {
  it.each([
    ['sent', null, 1, false],
    ['failed', 'invalid_token', 1, true],
    ['failed', 'temporary_retries_exhausted', 4, true],
    ['failed', 'interrupted_send_not_retried', 1, false], // Meta may have received it
    ['expired', 'expired_before_send', 0, true],
    ['skipped', 'outside_window', 1, true],
    ['skipped', 'page_not_connected', 0, false], // a setup fault, or another stack's delivery
  ] as const)('%s (%s, %d attempts) → %s', (status, reason, attempts, expected) => {
    expect(releasesReservation({ status, reason, attempts })).toBe(expected);
  });
});
