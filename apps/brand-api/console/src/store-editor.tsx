import { useState, type FormEvent } from 'react';
import { ApiError, api } from './api';
import { useT } from './context';
import type { StoreView } from './map-view';
import { apiFieldErrors, type FieldErrors } from './offer-form';
import { Field } from './field';
import { RADIUS_LIMITS, storeFormOf, toStorePatch, validateStoreForm, type StoreForm } from './store-form';

/** PATCH /v1/stores/:id answers the store and advice about what was sent (stores/store.view.ts). */
export interface FieldWarning {
  field: string;
  message: string;
}
export type StoreWithWarnings = StoreView & { warnings: FieldWarning[] };

const STORE_INPUTS = ['name', 'tags', 'openingHours', 'country', 'geofence.radiusM'];

/** Name, tags, opening hours, country and a circle's radius of one store, from its map panel. */
export function StoreEditor({ store, saved, cancel }: { store: StoreView; saved: (store: StoreWithWarnings) => void; cancel: () => void }) {
  const t = useT();
  const [form, setForm] = useState<StoreForm>(() => storeFormOf(store));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof StoreForm>(key: K, value: string) => setForm((f) => ({ ...f, [key]: value }));
  const headingId = `store-form-title-${store.id}`;

  const focusFirst = (found: FieldErrors) => {
    const first = STORE_INPUTS.find((id) => found[id] !== undefined || Object.keys(found).some((f) => f.startsWith(`${id}.`)));
    if (first) document.getElementById(`store.${first}`)?.focus();
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const found = validateStoreForm(store, form, {
      required: t.fieldRequired,
      tooLong: t.fieldTooLong,
      tooMany: t.fieldTooMany,
      country: t.countryInvalid,
      radius: t.radiusHelp,
      nothingToChange: t.nothingToChange,
    });
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError(found['(body)'] ?? t.fixErrors(Object.keys(found).length));
      focusFirst(found);
      return;
    }
    setBusy(true);
    try {
      saved(await api<StoreWithWarnings>('PATCH', `/v1/stores/${store.id}`, toStorePatch(store, form)));
    } catch (err) {
      // The API's rules (opening_hours syntax, holidays for the country, fence shape) answer by field.
      const apiErrors = err instanceof ApiError ? apiFieldErrors(err.details) : {};
      setErrors(apiErrors);
      setFormError(err instanceof ApiError ? err.message : String(err));
      focusFirst(apiErrors);
    } finally {
      setBusy(false);
    }
  }

  // The inputs' ids are prefixed (`store.name`): the offers form's `name` may share the page one day.
  const scoped: FieldErrors = Object.fromEntries(Object.entries(errors).map(([field, message]) => [`store.${field}`, message]));
  return (
    <form className="store-form" onSubmit={submit} noValidate aria-labelledby={headingId}>
      <h3 id={headingId}>{t.editStoreTitle(store.name)}</h3>
      <Field id="store.name" label={t.name} errors={scoped}>
        {(p) => <input {...p} value={form.name} onChange={(e) => set('name', e.target.value)} />}
      </Field>
      <Field id="store.tags" label={t.tags} errors={scoped} help={t.listHelp('bakery, paris')}>
        {(p) => <input {...p} value={form.tags} onChange={(e) => set('tags', e.target.value)} />}
      </Field>
      <Field id="store.openingHours" label={t.hours} errors={scoped} help={t.openingHoursHelp}>
        {(p) => <input {...p} value={form.openingHours} spellCheck={false} onChange={(e) => set('openingHours', e.target.value)} />}
      </Field>
      <Field id="store.country" label={t.country} errors={scoped} help={t.countryHelp}>
        {(p) => <input {...p} value={form.country} maxLength={2} autoComplete="country" onChange={(e) => set('country', e.target.value)} />}
      </Field>
      {store.geofence.type === 'circle' ? (
        <Field id="store.geofence.radiusM" label={t.radiusM} errors={scoped} help={t.radiusHelp(RADIUS_LIMITS.min, RADIUS_LIMITS.max)}>
          {(p) => <input {...p} inputMode="numeric" value={form.radiusM} onChange={(e) => set('radiusM', e.target.value)} />}
        </Field>
      ) : (
        <p className="help">{t.polygonFence}</p>
      )}
      {formError && (
        <p role="alert" className="error" id="store-form-error">
          {formError}
        </p>
      )}
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {t.save}
        </button>
        <button type="button" onClick={cancel}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
