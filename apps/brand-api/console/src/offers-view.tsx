import type { OfferMessage } from '@app/contracts';
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { ApiError, api, listAll } from './api';
import { CardPreview } from './card-preview-view';
import { Field } from './field';
import { useT } from './context';
import type { StoreView } from './map-view';
import {
  FORM_LOCALES,
  apiFieldErrors,
  emptyForm,
  errorFor,
  formOf,
  newVariant,
  nextStatuses,
  offerInputIds,
  toCreateBody,
  toPatch,
  unplacedErrors,
  validateCreate,
  validateEdit,
  type FieldErrors,
  type FormLocale,
  type MessageForm,
  type OfferForm,
  type OfferView,
  type VariantForm,
} from './offer-form';

const PICKER_LIMIT = 300;

type Editing = { mode: 'create' } | { mode: 'edit'; offer: OfferView } | null;

export function OffersView({ openResults }: { openResults: (offerId: string) => void }) {
  const t = useT();
  const [offers, setOffers] = useState<OfferView[] | null>(null);
  const [stores, setStores] = useState<StoreView[]>([]);
  const [editing, setEditing] = useState<Editing>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  const reload = useCallback(() => {
    listAll<OfferView>('/v1/offers').then(setOffers, (e: Error) => setError(e.message));
  }, []);

  useEffect(() => {
    reload();
    listAll<StoreView>('/v1/stores').then(setStores, () => undefined);
  }, [reload]);

  async function move(offer: OfferView, to: 'active' | 'paused' | 'ended') {
    setError(null);
    try {
      await api('PATCH', `/v1/offers/${offer.id}`, { status: to });
      setStatus(`${offer.name}: ${t[to]}`);
      reload();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  }

  const label = (to: 'active' | 'paused' | 'ended', from: OfferView['status']) => (to === 'paused' ? t.pause : to === 'ended' ? t.end : from === 'paused' ? t.resume : t.activate);

  return (
    <section aria-labelledby="offers-title">
      <h1 id="offers-title">{t.offersTitle}</h1>
      <p role="status" className="status">
        {status}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {editing ? (
        <OfferEditor
          key={editing.mode === 'edit' ? editing.offer.id : 'new'}
          editing={editing}
          stores={stores}
          done={(saved) => {
            setEditing(null);
            if (saved) {
              setStatus(`${saved.name}: ${t.saved}`);
              reload();
            }
          }}
        />
      ) : (
        <button type="button" onClick={() => setEditing({ mode: 'create' })}>
          {t.newOffer}
        </button>
      )}
      {offers === null ? (
        <p role="status">{t.loading}</p>
      ) : offers.length === 0 ? (
        <p>{t.noOffers}</p>
      ) : (
        <table className="offers">
          <caption className="visually-hidden">{t.offersTitle}</caption>
          <thead>
            <tr>
              <th scope="col">{t.name}</th>
              <th scope="col">{t.status}</th>
              <th scope="col">{t.window}</th>
              <th scope="col">{t.stores}</th>
              <th scope="col">{t.variantsColumn}</th>
              <th scope="col">
                <span className="visually-hidden">{t.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {offers.map((o) => (
              <tr key={o.id} data-offer-id={o.id}>
                <th scope="row">{o.name}</th>
                <td>
                  <span className={`badge ${o.status}`}>{t[o.status]}</span>
                </td>
                <td>
                  {new Date(o.startsAt).toLocaleString()} → {new Date(o.endsAt).toLocaleString()}
                </td>
                <td>{o.storeIds.length === 0 ? t.allStores : o.storeIds.length}</td>
                <td data-testid="variant-count">{o.variants && o.variants.length > 0 ? t.variantCount(o.variants.length) : t.noVariants}</td>
                <td className="actions">
                  {o.status !== 'ended' && (
                    <button type="button" onClick={() => setEditing({ mode: 'edit', offer: o })}>
                      {t.edit}
                    </button>
                  )}
                  {nextStatuses(o.status).map((to) => (
                    <button key={to} type="button" onClick={() => move(o, to)}>
                      {label(to, o.status)}
                    </button>
                  ))}
                  <button type="button" onClick={() => openResults(o.id)}>
                    {t.results}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The message inputs of the default message or of one locale (`message` or `locales.en`). */
function MessageFields({ prefix, value, errors, change }: { prefix: string; value: MessageForm; errors: FieldErrors; change: (m: MessageForm) => void }) {
  const t = useT();
  const input = (key: keyof MessageForm, label: string, type = 'text') => (
    <Field id={`${prefix}.${key}`} label={label} errors={errors}>
      {(p) => <input {...p} type={type} value={value[key]} onChange={(e) => change({ ...value, [key]: e.target.value })} />}
    </Field>
  );
  return (
    <>
      {input('title', t.title)}
      {input('subtitle', t.subtitle)}
      {input('imageUrl', t.imageUrl, 'url')}
      {input('url', t.url, 'url')}
    </>
  );
}

const asMessage = (m: MessageForm): OfferMessage => ({ title: m.title, subtitle: m.subtitle || undefined, imageUrl: m.imageUrl || undefined, url: m.url || undefined });

/** The translations with a title, as the preview (and the engine) would pick among them. */
function titledLocales(locales: Record<FormLocale, MessageForm>, others: Record<string, OfferMessage> = {}): Record<string, OfferMessage> {
  const result: Record<string, OfferMessage> = { ...others };
  for (const l of FORM_LOCALES) if (locales[l].title.trim()) result[l] = asMessage(locales[l]);
  return result;
}

/** One A/B variant: its id, weight, message and translations. */
function VariantFields({ index, value, errors, change, remove }: { index: number; value: VariantForm; errors: FieldErrors; change: (v: VariantForm) => void; remove: () => void }) {
  const t = useT();
  const at = `variants.${index}`;
  return (
    <fieldset className="variant" data-variant-index={index}>
      <legend>{t.variantLegend(value.id || String(index + 1))}</legend>
      <Field id={`${at}.id`} label={t.variantId} errors={errors} help={t.variantIdHelp}>
        {(p) => <input {...p} value={value.id} onChange={(e) => change({ ...value, id: e.target.value })} />}
      </Field>
      <Field id={`${at}.weight`} label={t.weight} errors={errors} help={t.weightHelp}>
        {(p) => <input {...p} inputMode="decimal" value={value.weight} onChange={(e) => change({ ...value, weight: e.target.value })} />}
      </Field>
      <fieldset>
        <legend>{t.message}</legend>
        <MessageFields prefix={`${at}.message`} value={value.message} errors={errors} change={(m) => change({ ...value, message: m })} />
      </fieldset>
      {FORM_LOCALES.map((l) => (
        <details key={l} open={Boolean(value.locales[l].title || errorFor(errors, `${at}.locales.${l}`))}>
          <summary>{t.localeMessage(l)}</summary>
          <fieldset>
            <legend className="visually-hidden">{`${t.variantLegend(value.id || String(index + 1))} — ${t.localeMessage(l)}`}</legend>
            <MessageFields prefix={`${at}.locales.${l}`} value={value.locales[l]} errors={errors} change={(m) => change({ ...value, locales: { ...value.locales, [l]: m } })} />
          </fieldset>
        </details>
      ))}
      <button type="button" onClick={remove}>
        {t.removeVariant(value.id || String(index + 1))}
      </button>
    </fieldset>
  );
}

/** Moves the focus to the first input, in form order, that shows an error. */
function focusFirstError(errors: FieldErrors, inputIds: string[]): void {
  const first = inputIds.find((id) => errorFor(errors, id) !== undefined);
  if (first) document.getElementById(first)?.focus();
}

function OfferEditor({ editing, stores, done }: { editing: NonNullable<Editing>; stores: StoreView[]; done: (saved: OfferView | null) => void }) {
  const t = useT();
  const [form, setForm] = useState<OfferForm>(() => (editing.mode === 'edit' ? formOf(editing.offer) : emptyForm(new Date())));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [storeFilter, setStoreFilter] = useState('');
  // With thousands of stores the picker lists the selected ones plus the first matches of the filter.
  const pickable = useMemo(() => {
    const f = storeFilter.trim().toLowerCase();
    const chosen = new Set(form.storeIds);
    const matches = stores.filter((s) => !chosen.has(s.id) && (!f || s.name.toLowerCase().includes(f))).slice(0, PICKER_LIMIT);
    return [...stores.filter((s) => chosen.has(s.id)), ...matches];
  }, [stores, storeFilter, form.storeIds]);
  const set = <K extends keyof OfferForm>(key: K, value: OfferForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const previewLocales = useMemo(() => titledLocales(form.locales, form.otherLocales), [form.locales, form.otherLocales]);
  const previewVariants = useMemo(() => form.variants.map((v) => ({ id: v.id, message: asMessage(v.message), locales: titledLocales(v.locales, v.otherLocales) })), [form.variants]);
  const setVariant = (i: number, v: VariantForm) => set('variants', form.variants.map((x, j) => (j === i ? v : x)));
  const unplaced = unplacedErrors(errors, offerInputIds(form));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const found = editing.mode === 'edit' ? validateEdit(editing.offer, form) : validateCreate(form);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      setFormError(t.fixErrors(Object.keys(found).length));
      focusFirstError(found, offerInputIds(form));
      return;
    }
    setBusy(true);
    try {
      const saved =
        editing.mode === 'edit'
          ? await api<OfferView>('PATCH', `/v1/offers/${editing.offer.id}`, toPatch(form))
          : await api<OfferView>('POST', '/v1/offers', toCreateBody(form));
      done(saved);
    } catch (err) {
      // The API's verdict wins (e.g. a store that is not the brand's): each detail next to its field.
      const apiErrors = err instanceof ApiError ? apiFieldErrors(err.details) : {};
      setErrors(apiErrors);
      focusFirstError(apiErrors, offerInputIds(form));
      setFormError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="offer-form" onSubmit={submit} noValidate aria-labelledby="offer-form-title">
      <h2 id="offer-form-title">{editing.mode === 'edit' ? t.editOffer : t.newOffer}</h2>
      <div className="form-grid">
        <div>
          <Field id="name" label={t.name} errors={errors}>
            {(p) => <input {...p} value={form.name} onChange={(e) => set('name', e.target.value)} />}
          </Field>
          <fieldset>
            <legend>{t.message}</legend>
            <MessageFields prefix="message" value={form.message} errors={errors} change={(m) => set('message', m)} />
          </fieldset>
          {FORM_LOCALES.map((l) => (
            <fieldset key={l}>
              <legend>{t.localeMessage(l)}</legend>
              <small className="help">{t.localeHelp}</small>
              <MessageFields prefix={`locales.${l}`} value={form.locales[l]} errors={errors} change={(m) => set('locales', { ...form.locales, [l]: m })} />
            </fieldset>
          ))}
          <Field id="startsAt" label={t.startsAt} errors={errors}>
            {(p) => <input {...p} type="datetime-local" value={form.startsAt} onChange={(e) => set('startsAt', e.target.value)} />}
          </Field>
          <Field id="endsAt" label={t.endsAt} errors={errors}>
            {(p) => <input {...p} type="datetime-local" value={form.endsAt} onChange={(e) => set('endsAt', e.target.value)} />}
          </Field>
          <Field id="trigger" label={t.trigger} errors={errors}>
            {(p) => (
              <select {...p} value={form.trigger} onChange={(e) => set('trigger', e.target.value as OfferForm['trigger'])}>
                <option value="enter">{t.triggerEnter}</option>
                <option value="dwell">{t.triggerDwell}</option>
              </select>
            )}
          </Field>
          {form.trigger === 'dwell' && (
            <Field id="dwellSeconds" label={t.dwellSeconds} errors={errors}>
              {(p) => <input {...p} inputMode="numeric" value={form.dwellSeconds} onChange={(e) => set('dwellSeconds', e.target.value)} />}
            </Field>
          )}
          <Field id="priority" label={t.priority} errors={errors}>
            {(p) => <input {...p} inputMode="numeric" value={form.priority} onChange={(e) => set('priority', e.target.value)} />}
          </Field>
          <fieldset>
            <legend>{t.capsLegend}</legend>
            <Field id="caps.perShopperPerDay" label={t.perShopperPerDay} errors={errors}>
              {(p) => <input {...p} inputMode="numeric" value={form.perShopperPerDay} onChange={(e) => set('perShopperPerDay', e.target.value)} />}
            </Field>
            <Field id="caps.perShopperTotal" label={t.perShopperTotal} errors={errors}>
              {(p) => <input {...p} inputMode="numeric" value={form.perShopperTotal} onChange={(e) => set('perShopperTotal', e.target.value)} />}
            </Field>
            <Field id="caps.maxSends" label={t.maxSends} errors={errors} help={t.maxSendsHelp}>
              {(p) => <input {...p} inputMode="numeric" value={form.maxSends} onChange={(e) => set('maxSends', e.target.value)} />}
            </Field>
            <Field id="cooldownMinutes" label={t.cooldownMinutes} errors={errors}>
              {(p) => <input {...p} inputMode="numeric" value={form.cooldownMinutes} onChange={(e) => set('cooldownMinutes', e.target.value)} />}
            </Field>
          </fieldset>
          <fieldset>
            <legend>{t.audienceLegend}</legend>
            <small className="help">{t.audienceHelp}</small>
            <Field id="audience.locales" label={t.audienceLocales} errors={errors} help={t.listHelp('fr, en-GB')}>
              {(p) => <input {...p} value={form.audienceLocales} onChange={(e) => set('audienceLocales', e.target.value)} />}
            </Field>
            <Field id="audience.shopperTags" label={t.shopperTags} errors={errors} help={t.listHelp('vip, loyalty')}>
              {(p) => <input {...p} value={form.shopperTags} onChange={(e) => set('shopperTags', e.target.value)} />}
            </Field>
            <Field id="audience.interests" label={t.interests} errors={errors} help={t.listHelp('bakery, coffee')}>
              {(p) => <input {...p} value={form.interests} onChange={(e) => set('interests', e.target.value)} />}
            </Field>
          </fieldset>
          <fieldset id="variants" tabIndex={-1} aria-describedby={errors.variants ? 'variants-help variants-error' : 'variants-help'}>
            <legend>{t.variantsLegend}</legend>
            <small id="variants-help" className="help">
              {t.variantsHelp}
            </small>
            {errors.variants && (
              <small id="variants-error" className="error" data-field="variants">
                {errors.variants}
              </small>
            )}
            {form.variants.map((v, i) => (
              <VariantFields key={i} index={i} value={v} errors={errors} change={(x) => setVariant(i, x)} remove={() => set('variants', form.variants.filter((_, j) => j !== i))} />
            ))}
            {form.variants.length < 10 && (
              <button type="button" onClick={() => set('variants', [...form.variants, newVariant(form)])}>
                {t.addVariant}
              </button>
            )}
            <Field id="controlShare" label={t.controlShare} errors={errors} help={t.controlShareHelp}>
              {(p) => <input {...p} inputMode="decimal" value={form.controlShare} onChange={(e) => set('controlShare', e.target.value)} />}
            </Field>
          </fieldset>
          <div className="field">
            <label htmlFor="store-picker-filter">{t.filterStores}</label>
            <input id="store-picker-filter" type="search" value={storeFilter} onChange={(e) => setStoreFilter(e.target.value)} />
          </div>
          <Field id="storeIds" label={t.stores} errors={errors} help={t.storeIdsHelp}>
            {(p) => (
              <select {...p} multiple size={Math.min(8, Math.max(3, pickable.length))} value={form.storeIds} onChange={(e) => set('storeIds', [...e.target.selectedOptions].map((o) => o.value))}>
                {pickable.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {editing.mode === 'create' && (
            <Field id="status" label={t.initialStatus} errors={errors}>
              {(p) => (
                <select {...p} value={form.status} onChange={(e) => set('status', e.target.value as OfferForm['status'])}>
                  <option value="draft">{t.draft}</option>
                  <option value="active">{t.active}</option>
                </select>
              )}
            </Field>
          )}
        </div>
        <CardPreview message={asMessage(form.message)} locales={previewLocales} variants={previewVariants} />
      </div>
      {formError && (
        <div role="alert" className="error" id="offer-form-error">
          <p>{formError}</p>
          {Object.keys(unplaced).length > 0 && (
            <ul>
              {Object.entries(unplaced).map(([field, message]) => (
                <li key={field}>
                  <code>{field}</code>: {message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className="buttons">
        <button type="submit" disabled={busy}>
          {editing.mode === 'edit' ? t.save : t.create}
        </button>
        <button type="button" onClick={() => done(null)}>
          {t.cancel}
        </button>
      </div>
    </form>
  );
}
