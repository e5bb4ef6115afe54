import OpeningHours from 'opening_hours';

/**
 * `libraryOutput` is what the library wrote to the console during the call (see below), for a
 * caller that wants to log it; `error` already carries the same message when parsing failed.
 */
export type ParsedOpeningHours =
  | { ok: true; hours: OpeningHours; warnings: string[]; libraryOutput: string[] }
  | { ok: false; error: string; libraryOutput: string[] };

/**
 * Parses an OpenStreetMap `opening_hours` value, with the country's public (PH) and school (SH)
 * holidays when `country` (ISO 3166-1 alpha-2) is given.
 *
 * The library (3.15) has no option to keep quiet: when it meets what it calls a library bug —
 * notably holidays not defined for a country — it writes the message to `console.error` (and some
 * positions to `console.warn`) before throwing it. Here that output is taken off the console for
 * the length of the (synchronous) constructor call and handed back as `libraryOutput`: the same
 * message comes back as `error`, which callers report to a brand or count. Nothing else can run in
 * between, so no other code's console output is captured.
 *
 * This module has no framework import (no Nest logger): the brand console bundles it for the
 * browser through promotion-engine's local-time.ts, and brand-api's store rules use it too.
 *
 * `warnings` are the library's own advice on a valid value (getStructuredWarnings, default
 * severity), e.g. two weekdays not joined by a comma; the brand API returns them to the brand.
 */
export function parseOpeningHours(value: string, country: string | null = null): ParsedOpeningHours {
  const captured: string[] = [];
  const { error: consoleError, warn: consoleWarn } = console;
  console.error = (...args: unknown[]) => void captured.push(args.map(String).join(' '));
  // eslint-disable-next-line no-console -- taking the library's console.warn output, deliberately
  console.warn = console.error;
  try {
    const place = country ? { lat: 0, lon: 0, address: { country_code: country.toLowerCase(), state: '' } } : null;
    const hours = new OpeningHours(value, place ?? undefined);
    const warnings = hours.getStructuredWarnings().map((w) => (typeof w === 'string' ? w : w.message));
    return { ok: true, hours, warnings, libraryOutput: captured };
  } catch (error) {
    return { ok: false, error: String(error instanceof Error ? error.message : error), libraryOutput: captured };
  } finally {
    console.error = consoleError;
    // eslint-disable-next-line no-console -- restoring it
    console.warn = consoleWarn;
  }
}
