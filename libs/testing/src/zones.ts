import { DateTime } from 'luxon';

/**
 * Time zones spread around the globe, one of which is always at a given hour of the day. Tests and
 * the demo put their stores where it is daytime now, so that default quiet hours (21:00–09:00 in the
 * shopper's zone, the store's when unknown) never skip a promotion whatever the hour they run at.
 */
const ZONES = [
  'Pacific/Kiritimati', 'Pacific/Auckland', 'Asia/Tokyo', 'Asia/Shanghai', 'Asia/Kolkata', 'Asia/Dubai', 'Europe/Paris',
  'Atlantic/Azores', 'America/Sao_Paulo', 'America/New_York', 'America/Denver', 'America/Los_Angeles', 'Pacific/Honolulu',
];

/** The first zone (Europe/Paris when it qualifies) whose local hour now satisfies `wanted`. */
export function zoneWhere(what: string, wanted: (hour: number) => boolean, now: DateTime = DateTime.now()): string {
  const preferred = ['Europe/Paris', ...ZONES];
  const zone = preferred.find((z) => wanted(now.setZone(z).hour));
  if (!zone) throw new Error(`no zone where it is ${what} now`);
  return zone;
}

/** A zone where it is between 10:00 and 19:00 now: far from quiet hours and from midnight. */
export const daytimeZone = (now?: DateTime): string => zoneWhere('day', (h) => h >= 10 && h < 19, now);
