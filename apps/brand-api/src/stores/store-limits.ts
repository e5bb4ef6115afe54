/**
 * A store's plain limits, with no import at all: store.dto.ts / store-rules.ts check them, and the
 * brand console bundles this file for its quick checks before a PATCH (the full rules need turf
 * and opening_hours, which stay on the server).
 */
export const CIRCLE_RADIUS_M = { min: 20, max: 5_000 } as const;
export const STORE_NAME_MAX_LENGTH = 200;
export const STORE_TAG_MAX_LENGTH = 64;
export const STORE_MAX_TAGS = 50;
export const OPENING_HOURS_MAX_LENGTH = 1000;
export const COUNTRY_CODE = /^[A-Za-z]{2}$/;
