import { releasesReservation } from './settle-reservation.usecase';

describe('releasesReservation: which delivery outcomes give caps and budget back', () => {
  it.each([
    ['sent', null, false],
    ['failed', 'invalid_token', true],
    ['failed', 'temporary_retries_exhausted', true],
    ['failed', 'interrupted_send_not_retried', false], // Meta may have received it
    ['expired', 'expired_before_send', true],
    ['skipped', 'outside_window', true],
    ['skipped', 'page_not_connected', true],
  ] as const)('%s (%s) → %s', (status, reason, expected) => {
    expect(releasesReservation({ status, reason })).toBe(expected);
  });
});
