import {
  CIRCLE_RADIUS_M,
  COUNTRY_CODE,
  OPENING_HOURS_MAX_LENGTH,
  STORE_MAX_TAGS,
  STORE_NAME_MAX_LENGTH,
  STORE_TAG_MAX_LENGTH,
} from '../../src/stores/store-limits';
import type { StoreView } from './map-view';
import { listOf, type FieldErrors } from './offer-form';

/**
 * Editing a store from the console: what its inputs hold, the PATCH /v1/stores/:id body they make,
 * and the quick checks made before sending it. The API checks everything again, opening hours
 * (the `opening_hours` library, with the country's holidays) and geofences (turf) included: those
 * rules stay on the server and their errors come back named by field, shown next to the input.
 */
export interface StoreForm {
  name: string;
  /** Comma-separated, as typed. */
  tags: string;
  openingHours: string;
  country: string;
  /** Only for a circle fence; a polygon is changed through the API. */
  radiusM: string;
}

export function storeFormOf(store: StoreView): StoreForm {
  return {
    name: store.name,
    tags: store.tags.join(', '),
    openingHours: store.openingHours ?? '',
    country: (store.country ?? '').toUpperCase(),
    radiusM: store.geofence.type === 'circle' ? String(store.geofence.radiusM) : '',
  };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The PATCH body: only what changed (blank hours or country: removed); `{}` when nothing did. */
export function toStorePatch(store: StoreView, form: StoreForm): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  if (form.name.trim() !== store.name) patch.name = form.name.trim();
  const tags = listOf(form.tags);
  if (!sameList(tags, store.tags)) patch.tags = tags;
  const hours = form.openingHours.trim() || null;
  if (hours !== store.openingHours) patch.openingHours = hours;
  const country = form.country.trim() || null;
  if ((country ?? '').toLowerCase() !== (store.country ?? '').toLowerCase()) patch.country = country;
  if (store.geofence.type === 'circle') {
    const text = form.radiusM.trim();
    const radiusM = text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    if (radiusM !== store.geofence.radiusM) patch.geofence = { type: 'circle', radiusM };
  }
  return patch;
}

export interface StoreFormMessages {
  required: string;
  tooLong: (max: number) => string;
  tooMany: (max: number) => string;
  country: string;
  radius: (min: number, max: number) => string;
  nothingToChange: string;
}

/** The checks that need no library, keyed like the API's `details[].field`; `{}` when none fails. */
export function validateStoreForm(store: StoreView, form: StoreForm, m: StoreFormMessages): FieldErrors {
  const errors: FieldErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = m.required;
  else if (name.length > STORE_NAME_MAX_LENGTH) errors.name = m.tooLong(STORE_NAME_MAX_LENGTH);
  const tags = listOf(form.tags);
  if (tags.length > STORE_MAX_TAGS) errors.tags = m.tooMany(STORE_MAX_TAGS);
  else if (tags.some((tag) => tag.length > STORE_TAG_MAX_LENGTH)) errors.tags = m.tooLong(STORE_TAG_MAX_LENGTH);
  if (form.openingHours.trim().length > OPENING_HOURS_MAX_LENGTH) errors.openingHours = m.tooLong(OPENING_HOURS_MAX_LENGTH);
  if (form.country.trim() !== '' && !COUNTRY_CODE.test(form.country.trim())) errors.country = m.country;
  if (store.geofence.type === 'circle') {
    const radiusM = Number(form.radiusM.trim());
    if (form.radiusM.trim() === '' || !Number.isFinite(radiusM) || radiusM < CIRCLE_RADIUS_M.min || radiusM > CIRCLE_RADIUS_M.max) {
      errors['geofence.radiusM'] = m.radius(CIRCLE_RADIUS_M.min, CIRCLE_RADIUS_M.max);
    }
  }
  if (Object.keys(errors).length === 0 && Object.keys(toStorePatch(store, form)).length === 0) errors['(body)'] = m.nothingToChange;
  return errors;
}

/** The radius limits, for the input's help text. */
export const RADIUS_LIMITS = CIRCLE_RADIUS_M;
