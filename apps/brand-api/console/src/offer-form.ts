import type { OfferMessage, OfferSnapshot } from '@app/contracts';
import type { z } from 'zod';
// The API's own schemas: the form refuses exactly what POST / PATCH /v1/offers would refuse.
import { CreateOfferBody, OfferBody, OfferFields, UpdateOfferBody } from '../../src/offers/offer.dto';
import { transitionProblem } from '../../src/offers/offer-lifecycle';

/** An offer as GET /v1/offers answers it (offers/offer.view.ts). */
export type OfferView = Omit<OfferSnapshot, 'offerId' | 'brandId'> & { id: string; createdAt: string };

/** The locales the form edits besides the default message. */
export const FORM_LOCALES = ['fr', 'en'] as const;
export type FormLocale = (typeof FORM_LOCALES)[number];

export interface MessageForm {
  title: string;
  subtitle: string;
  imageUrl: string;
  url: string;
}

/** One A/B variant as its inputs hold it. */
export interface VariantForm {
  id: string;
  weight: string;
  message: MessageForm;
  locales: Record<FormLocale, MessageForm>;
  /** Translations the form does not edit: kept as they are. */
  otherLocales: Record<string, OfferMessage>;
}

/** What the inputs hold (strings, as typed); `toCreateBody` / `toPatch` turn it into the API's body. */
export interface OfferForm {
  name: string;
  message: MessageForm;
  locales: Record<FormLocale, MessageForm>;
  /** Translations the form does not edit (e.g. `de`, set through the API): kept as they are. */
  otherLocales: Record<string, OfferMessage>;
  /** `<input type="datetime-local">` values, in the browser's time zone. */
  startsAt: string;
  endsAt: string;
  trigger: 'enter' | 'dwell';
  dwellSeconds: string;
  priority: string;
  perShopperPerDay: string;
  perShopperTotal: string;
  maxSends: string;
  cooldownMinutes: string;
  /** Audience lists as typed, comma-separated; all empty: anyone. */
  audienceLocales: string;
  shopperTags: string;
  interests: string;
  variants: VariantForm[];
  /** Share of shoppers held out (0 to 0.9); blank: none. */
  controlShare: string;
  storeIds: string[];
  status: 'draft' | 'active';
}

/** Field → message, keyed like the API's `details[].field` (e.g. `message.title`, `locales.en.url`). */
export type FieldErrors = Record<string, string>;

const emptyMessage = (): MessageForm => ({ title: '', subtitle: '', imageUrl: '', url: '' });

const pad = (n: number) => String(n).padStart(2, '0');
/** A Date as a datetime-local value in the browser's zone. */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function emptyForm(now: Date): OfferForm {
  return {
    name: '',
    message: emptyMessage(),
    locales: { fr: emptyMessage(), en: emptyMessage() },
    startsAt: toLocalInput(now),
    endsAt: toLocalInput(new Date(now.getTime() + 7 * 86_400_000)),
    otherLocales: {},
    trigger: 'enter',
    dwellSeconds: '',
    priority: '0',
    perShopperPerDay: '',
    perShopperTotal: '',
    maxSends: '',
    cooldownMinutes: '',
    audienceLocales: '',
    shopperTags: '',
    interests: '',
    variants: [],
    controlShare: '',
    storeIds: [],
    status: 'draft',
  };
}

/** A new variant: the next free id among A, B, C…, weight 1, the offer's message as a start. */
export function newVariant(form: Pick<OfferForm, 'variants' | 'message'>): VariantForm {
  const taken = new Set(form.variants.map((v) => v.id));
  const id = [...'ABCDEFGHIJ'].find((l) => !taken.has(l)) ?? `v${form.variants.length + 1}`;
  return { id, weight: '1', message: { ...form.message }, locales: { fr: emptyMessage(), en: emptyMessage() }, otherLocales: {} };
}

const messageForm = (m: OfferMessage | undefined): MessageForm =>
  m ? { title: m.title, subtitle: m.subtitle ?? '', imageUrl: m.imageUrl ?? '', url: m.url ?? '' } : emptyMessage();

const formLocalesOf = (locales: Record<string, OfferMessage> | undefined): Record<FormLocale, MessageForm> => ({
  fr: messageForm(locales?.fr),
  en: messageForm(locales?.en),
});

const FORM_LOCALE_SET = new Set<string>(FORM_LOCALES);
const otherLocalesOf = (locales: Record<string, OfferMessage> | undefined) => Object.fromEntries(Object.entries(locales ?? {}).filter(([l]) => !FORM_LOCALE_SET.has(l)));

export function formOf(offer: OfferView): OfferForm {
  const numberText = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
  return {
    name: offer.name,
    message: messageForm(offer.message),
    locales: formLocalesOf(offer.locales),
    otherLocales: otherLocalesOf(offer.locales),
    startsAt: toLocalInput(new Date(offer.startsAt)),
    endsAt: toLocalInput(new Date(offer.endsAt)),
    trigger: offer.trigger,
    dwellSeconds: numberText(offer.dwellSeconds),
    priority: String(offer.priority),
    perShopperPerDay: numberText(offer.caps.perShopperPerDay),
    perShopperTotal: numberText(offer.caps.perShopperTotal),
    maxSends: numberText(offer.caps.maxSends),
    cooldownMinutes: numberText(offer.cooldownMinutes),
    audienceLocales: (offer.audience?.locales ?? []).join(', '),
    shopperTags: (offer.audience?.shopperTags ?? []).join(', '),
    interests: (offer.audience?.interests ?? []).join(', '),
    variants: (offer.variants ?? []).map((v) => ({ id: v.id, weight: String(v.weight), message: messageForm(v.message), locales: formLocalesOf(v.locales), otherLocales: otherLocalesOf(v.locales) })),
    controlShare: offer.controlShare ? String(offer.controlShare) : '',
    storeIds: [...offer.storeIds],
    status: offer.status === 'active' ? 'active' : 'draft',
  };
}

const dropUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** A blank input is "not given"; anything else is a number, or stays text so the schema names it. */
function numberOrText(value: string): number | string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : trimmed;
}

/** datetime-local (browser zone) → ISO 8601 UTC; left as typed when it is not a date. */
function isoOf(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

function messageBody(m: MessageForm): Record<string, string> {
  const body: Record<string, string> = { title: m.title.trim() };
  if (m.subtitle.trim()) body.subtitle = m.subtitle.trim();
  if (m.imageUrl.trim()) body.imageUrl = m.imageUrl.trim();
  if (m.url.trim()) body.url = m.url.trim();
  return body;
}

/** Comma-separated input → list, blanks dropped. */
export function listOf(value: string): string[] {
  return value
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

const filledMessage = (m: MessageForm) => Boolean(m.title.trim() || m.subtitle.trim() || m.imageUrl.trim() || m.url.trim());

/** The translations typed in (a translation with any field filled is sent, so a missing title is reported, not dropped). */
function localesBody(locales: Record<FormLocale, MessageForm>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const l of FORM_LOCALES) if (filledMessage(locales[l])) body[l] = messageBody(locales[l]);
  return body;
}

/** Audience: null (anyone) when every list is empty; otherwise only the lists given. */
function audienceBody(form: OfferForm): Record<string, string[]> | null {
  const lists = { locales: listOf(form.audienceLocales), shopperTags: listOf(form.shopperTags), interests: listOf(form.interests) };
  const given = Object.entries(lists).filter(([, l]) => l.length > 0);
  return given.length === 0 ? null : Object.fromEntries(given);
}

function variantBody(v: VariantForm): Record<string, unknown> {
  const locales = { ...v.otherLocales, ...localesBody(v.locales) };
  return dropUndefined({
    id: v.id.trim(),
    weight: numberOrText(v.weight),
    message: messageBody(v.message),
    locales: Object.keys(locales).length > 0 ? locales : undefined,
  });
}

/** The fields the form edits, as the API takes them (blank optional inputs left out, or reset for a PATCH). */
function bodyFields(form: OfferForm, patch: boolean): Record<string, unknown> {
  const blank = patch ? null : undefined;
  const caps = dropUndefined({
    perShopperPerDay: numberOrText(form.perShopperPerDay),
    perShopperTotal: numberOrText(form.perShopperTotal),
    maxSends: numberOrText(form.maxSends),
  });
  const audience = audienceBody(form);
  return {
    name: form.name,
    message: messageBody(form.message),
    locales: { ...form.otherLocales, ...localesBody(form.locales) },
    startsAt: isoOf(form.startsAt),
    endsAt: isoOf(form.endsAt),
    trigger: form.trigger,
    dwellSeconds: form.trigger === 'dwell' ? numberOrText(form.dwellSeconds) ?? blank : blank,
    priority: numberOrText(form.priority) ?? 0,
    caps,
    cooldownMinutes: numberOrText(form.cooldownMinutes) ?? blank,
    audience: audience ?? blank,
    // A PATCH replaces the lists: no variants and no control group are said explicitly.
    variants: form.variants.length > 0 ? form.variants.map(variantBody) : patch ? [] : undefined,
    controlShare: numberOrText(form.controlShare) ?? (patch ? 0 : undefined),
    storeIds: form.storeIds,
  };
}

export function toCreateBody(form: OfferForm): Record<string, unknown> {
  return dropUndefined({ ...bodyFields(form, false), status: form.status });
}

/** PATCH body: every field the form edits (status changes go through pause / resume). */
export function toPatch(form: OfferForm): Record<string, unknown> {
  return bodyFields(form, true);
}

export function errorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || '(body)';
    errors[field] ??= issue.message;
  }
  return errors;
}

/** Checks a new offer with POST /v1/offers' schema; `{}` when the API would accept it. */
export function validateCreate(form: OfferForm): FieldErrors {
  const result = CreateOfferBody.safeParse(toCreateBody(form));
  return result.success ? {} : errorsOf(result.error);
}

/** Checks a change as PATCH does: the patch itself, then the offer it would make, as a whole. */
export function validateEdit(offer: OfferView, form: OfferForm): FieldErrors {
  const patch = toPatch(form);
  const parsed = UpdateOfferBody.safeParse(patch);
  if (!parsed.success) return errorsOf(parsed.error);
  const stored = Object.fromEntries(Object.keys(OfferFields).map((k) => [k, (offer as Record<string, unknown>)[k]]));
  const merged = OfferBody.safeParse({ ...stored, ...parsed.data });
  return merged.success ? {} : errorsOf(merged.error);
}

/** The API's 400 `details` as field errors, to show each next to its input. */
export function apiFieldErrors(details: unknown): FieldErrors {
  const errors: FieldErrors = {};
  if (!Array.isArray(details)) return errors;
  for (const d of details) {
    if (d && typeof d === 'object' && typeof d.field === 'string' && typeof d.message === 'string') errors[d.field] ??= d.message;
  }
  return errors;
}

/** The statuses the list's buttons offer: those the API's lifecycle (offers/offer-lifecycle.ts) allows. */
export function nextStatuses(status: OfferView['status']): ('active' | 'paused' | 'ended')[] {
  return (['active', 'paused', 'ended'] as const).filter((to) => to !== status && transitionProblem(status, to) === null);
}

/**
 * The error to show next to the input `id`: its own, else the first one under it (the API names
 * `audience.locales.1` or `storeIds.0`; the form has one input for each list).
 */
export function errorFor(errors: FieldErrors, id: string): string | undefined {
  if (errors[id] !== undefined) return errors[id];
  const under = Object.keys(errors).find((field) => field.startsWith(`${id}.`));
  return under === undefined ? undefined : errors[under];
}

/** The ids of the inputs the offer form has, for the errors none of them can show (listed on top). */
export function offerInputIds(form: OfferForm): string[] {
  const message = (prefix: string) => ['title', 'subtitle', 'imageUrl', 'url'].map((k) => `${prefix}.${k}`);
  return [
    'name',
    ...message('message'),
    ...FORM_LOCALES.flatMap((l) => message(`locales.${l}`)),
    'startsAt',
    'endsAt',
    'trigger',
    'dwellSeconds',
    'priority',
    'caps.perShopperPerDay',
    'caps.perShopperTotal',
    'caps.maxSends',
    'cooldownMinutes',
    'audience.locales',
    'audience.shopperTags',
    'audience.interests',
    ...form.variants.flatMap((_, i) => [`variants.${i}.id`, `variants.${i}.weight`, ...message(`variants.${i}.message`), ...FORM_LOCALES.flatMap((l) => message(`variants.${i}.locales.${l}`))]),
    // After the variants' own inputs: the list as a whole (e.g. two variants with one id).
    'variants',
    'controlShare',
    'storeIds',
    'status',
  ];
}

/** Errors no input shows (e.g. `(body)` or a translation the form does not edit). */
export function unplacedErrors(errors: FieldErrors, inputIds: string[]): FieldErrors {
  const placed = new Set<string>();
  for (const id of inputIds) {
    for (const field of Object.keys(errors)) if (field === id || field.startsWith(`${id}.`)) placed.add(field);
  }
  return Object.fromEntries(Object.entries(errors).filter(([field]) => !placed.has(field)));
}
