import { DateTime } from 'luxon';
import { parseOpeningHours } from '@app/geo';
import type OpeningHours from 'opening_hours';

/**
 * Wall-clock questions asked in a given IANA time zone: is the store open, is it the shopper's
 * quiet hours, which calendar day is it for them. Pure: the instant is always passed in.
 */

export interface QuietHours {
  /** "HH:mm", local time; the window may wrap midnight (21:00 → 09:00). */
  start: string;
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '09:00' };

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** "yyyy-MM-dd" */
  date: string;
}

// Converting an instant to a zone's wall clock goes through Intl and is the costliest step of a
// decision; UTC offsets change only on minute boundaries, so one conversion per zone per minute.
const clocks = new Map<string, { minute: number; clock: WallClock }>();

function localTime(nowMs: number, zone: string): WallClock {
  const minute = Math.floor(nowMs / 60_000);
  const cached = clocks.get(zone);
  if (cached && cached.minute === minute) return cached.clock;
  const t = DateTime.fromMillis(minute * 60_000, { zone });
  if (!t.isValid) throw new RangeError(`unknown time zone ${zone}`);
  const clock = { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, date: t.toFormat('yyyy-MM-dd') };
  if (clocks.size > 10_000) clocks.clear();
  clocks.set(zone, { minute, clock });
  return clock;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** True during the quiet window [start, end) in `zone`; start === end means no quiet hours. */
export function isQuietHours(nowMs: number, zone: string, quiet: QuietHours): boolean {
  const t = localTime(nowMs, zone);
  const now = t.hour * 60 + t.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

/** The calendar day in `zone`, "yyyy-MM-dd": the unit of per-day caps. */
export function localDay(nowMs: number, zone: string): string {
  return localTime(nowMs, zone).date;
}

// Parsing an opening_hours string costs far more than evaluating it: keep the parsed ones. The
// library's console output is kept off the console by parseOpeningHours (its error says the same).
const parsedHours = new Map<string, OpeningHours | Error>();
const MAX_PARSED = 5000;

function parseHours(hours: string, country: string | null): OpeningHours | Error {
  const key = `${country ?? ''}|${hours}`;
  let parsed = parsedHours.get(key);
  if (!parsed) {
    const result = parseOpeningHours(hours, country);
    parsed = result.ok ? result.hours : new Error(result.error);
    if (parsedHours.size >= MAX_PARSED) parsedHours.clear();
    parsedHours.set(key, parsed);
  }
  return parsed;
}

export type StoreHoursVerdict = 'open' | 'closed' | 'invalid_hours';

/**
 * Whether a store is open at `nowMs`, by its OpenStreetMap `opening_hours` in its own zone.
 * No hours: always open. Public holidays (PH) are the store's `country`'s (brand-api requires a
 * country for hours that use them). The library reads a Date's local fields, so it is handed a Date whose
 * process-local wall clock equals the store's wall clock (exact when the process runs in UTC, as
 * the apps do; on a DST gap of the process's own zone it could be off by that gap).
 */
export function storeHoursVerdict(nowMs: number, zone: string, hours: string | null, country: string | null = null): StoreHoursVerdict {
  if (hours === null || hours.trim() === '') return 'open';
  const parsed = parseHours(hours, country);
  if (parsed instanceof Error) return 'invalid_hours';
  // opening_hours has minute resolution: one evaluation per store schedule, zone and minute.
  const minute = Math.floor(nowMs / 60_000);
  const key = `${zone}|${hours}`;
  const cached = verdicts.get(key);
  if (cached && cached.minute === minute) return cached.verdict;
  const t = localTime(nowMs, zone);
  const wall = new Date(t.year, t.month - 1, t.day, t.hour, t.minute);
  const verdict = parsed.getState(wall) ? 'open' : 'closed';
  if (verdicts.size >= MAX_PARSED) verdicts.clear();
  verdicts.set(key, { minute, verdict });
  return verdict;
}

const verdicts = new Map<string, { minute: number; verdict: 'open' | 'closed' }>();
