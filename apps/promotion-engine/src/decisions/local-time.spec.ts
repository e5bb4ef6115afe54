import { DEFAULT_QUIET_HOURS, isQuietHours, localDay, storeHoursVerdict } from './local-time';

const at = (iso: string) => Date.parse(iso);

describe('isQuietHours (default 21:00–09:00, in the given zone)', () => {
  it.each([
    // Paris springs forward on 2026-03-29 at 02:00 → 03:00 (UTC+1 → UTC+2).
    ['2026-03-28T07:30:00Z', 'Europe/Paris', true], // 08:30 CET, the day before: still quiet
    ['2026-03-29T06:59:00Z', 'Europe/Paris', true], // 08:59 CEST
    ['2026-03-29T07:00:00Z', 'Europe/Paris', false], // 09:00 CEST: an hour earlier in UTC than the day before
    ['2026-03-29T01:30:00Z', 'Europe/Paris', true], // 03:30 CEST, right after the gap
    // Paris falls back on 2026-10-25 at 03:00 → 02:00 (UTC+2 → UTC+1).
    ['2026-10-24T19:30:00Z', 'Europe/Paris', true], // 21:30 CEST
    ['2026-10-25T19:30:00Z', 'Europe/Paris', false], // 20:30 CET
    ['2026-10-25T20:00:00Z', 'Europe/Paris', true], // 21:00 CET
    ['2026-11-25T12:00:00Z', 'Asia/Tokyo', true], // 21:00 JST
    ['2026-11-25T12:00:00Z', 'America/New_York', true], // 07:00 EST
    ['2026-11-25T15:00:00Z', 'America/New_York', false], // 10:00 EST
  ])('%s in %s → %s', (iso, zone, expected) => {
    expect(isQuietHours(at(iso), zone, DEFAULT_QUIET_HOURS)).toBe(expected);
  });

  it.each([
    [{ start: '12:00', end: '14:00' }, '2026-11-25T12:30:00Z', 'UTC', true],
    [{ start: '12:00', end: '14:00' }, '2026-11-25T14:00:00Z', 'UTC', false],
    [{ start: '00:00', end: '00:00' }, '2026-11-25T03:00:00Z', 'UTC', false],
  ])('a brand window %j at %s %s → %s', (quiet, iso, zone, expected) => {
    expect(isQuietHours(at(iso), zone, quiet)).toBe(expected);
  });
});

describe('localDay', () => {
  it.each([
    ['2026-03-28T23:30:00Z', 'Europe/Paris', '2026-03-29'],
    ['2026-03-28T23:30:00Z', 'America/New_York', '2026-03-28'],
    ['2026-10-25T22:59:00Z', 'Europe/Paris', '2026-10-25'],
    ['2026-10-25T23:00:00Z', 'Europe/Paris', '2026-10-26'],
    ['2026-11-25T15:00:00Z', 'Pacific/Auckland', '2026-11-26'],
  ])('%s in %s is %s', (iso, zone, day) => {
    expect(localDay(at(iso), zone)).toBe(day);
  });
});

describe('storeHoursVerdict (opening_hours, in the store zone)', () => {
  it.each([
    ['2026-03-28T07:30:00Z', 'Europe/Paris', 'Mo-Su 09:00-20:00', 'closed'], // 08:30 CET
    ['2026-03-29T07:30:00Z', 'Europe/Paris', 'Mo-Su 09:00-20:00', 'open'], // 09:30 CEST (DST day)
    ['2026-10-25T19:30:00Z', 'Europe/Paris', 'Mo-Su 09:00-20:00', 'closed'], // 20:30 CET (DST day)
    ['2026-10-25T18:30:00Z', 'Europe/Paris', 'Mo-Su 09:00-20:00', 'open'], // 19:30 CET
    ['2026-11-29T12:00:00Z', 'Europe/Paris', 'Mo-Sa 09:00-20:00', 'closed'], // a Sunday
    ['2026-11-25T15:00:00Z', 'America/New_York', 'Mo-Fr 09:00-18:00', 'open'], // 10:00 EST
    ['2026-11-25T12:00:00Z', 'America/New_York', 'Mo-Fr 09:00-18:00', 'closed'], // 07:00 EST
    ['2026-11-25T03:00:00Z', 'Europe/Paris', null, 'open'], // no hours: always open
    ['2026-11-25T03:00:00Z', 'Europe/Paris', '24/7', 'open'],
    ['2026-11-25T12:00:00Z', 'Europe/Paris', 'not hours at all', 'invalid_hours'],
  ])('%s in %s with %s → %s', (iso, zone, hours, verdict) => {
    expect(storeHoursVerdict(at(iso), zone, hours)).toBe(verdict);
  });

  it('closes on the store country’s public holidays (PH off), quietly', () => {
    const error = jest.spyOn(console, 'error');
    const warn = jest.spyOn(console, 'warn');
    const hours = 'Mo-Sa 09:00-20:00; PH off';
    expect(storeHoursVerdict(at('2026-12-25T10:00:00Z'), 'Europe/Paris', hours, 'fr')).toBe('closed'); // Christmas, a Friday
    expect(storeHoursVerdict(at('2026-12-18T10:00:00Z'), 'Europe/Paris', hours, 'fr')).toBe('open');
    // A country the library has no holidays for: the library prints a "library bug" message and throws.
    expect(storeHoursVerdict(at('2026-12-18T10:00:00Z'), 'Europe/Paris', hours, 'zz')).toBe('invalid_hours');
    expect(error).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    error.mockRestore();
    warn.mockRestore();
  });
});
