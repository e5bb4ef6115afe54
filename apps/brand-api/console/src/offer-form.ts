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

/** What the inputs hold (strings, as typed); `toCreateBody` / `toPatch` turn it into the API's body. */
export interface OfferForm {
  name: string;
  message: MessageForm;
  locales: Record<FormLocale, MessageForm>;
  /** `<input type="datetime-local">` values, in the browser's time zone. */
  startsAt: string;
  endsAt: string;
  trigger: 'enter' | 'dwell';
  dwellSeconds: string;
  priority: string;
  perShopperPerDay: string;
  cooldownMinutes: string;
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
    trigger: 'enter',
    dwellSeconds: '',
    priority: '0',
    perShopperPerDay: '',
    cooldownMinutes: '',
    storeIds: [],
    status: 'draft',
  };
}

const messageForm = (m: OfferMessage | undefined): MessageForm =>
  m ? { title: m.title, subtitle: m.subtitle ?? '', imageUrl: m.imageUrl ?? '', url: m.url ?? '' } : emptyMessage();

export function formOf(offer: OfferView): OfferForm {
  const numberText = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
  return {
    name: offer.name,
    message: messageForm(offer.message),
    locales: { fr: messageForm(offer.locales.fr), en: messageForm(offer.locales.en) },
    startsAt: toLocalInput(new Date(offer.startsAt)),
    endsAt: toLocalInput(new Date(offer.endsAt)),
    trigger: offer.trigger,
    dwellSeconds: numberText(offer.dwellSeconds),
    priority: String(offer.priority),
    perShopperPerDay: numberText(offer.caps.perShopperPerDay),
    cooldownMinutes: numberText(offer.cooldownMinutes),
    storeIds: [...offer.storeIds],
    status: offer.status === 'active' ? 'active' : 'draft',
  };
}

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

/** The fields the form edits, as the API takes them (blank optional inputs left out or null). */
function bodyFields(form: OfferForm, blank: undefined | null): Record<string, unknown> {
  const locales: Record<string, unknown> = {};
  for (const l of FORM_LOCALES) {
    const m = form.locales[l];
    // A translation with any field filled is sent, so a missing title is reported, not dropped.
    if (m.title.trim() || m.subtitle.trim() || m.imageUrl.trim() || m.url.trim()) locales[l] = messageBody(m);
  }
  const perShopperPerDay = numberOrText(form.perShopperPerDay);
  return {
    name: form.name,
    message: messageBody(form.message),
    locales,
    startsAt: isoOf(form.startsAt),
    endsAt: isoOf(form.endsAt),
    trigger: form.trigger,
    dwellSeconds: form.trigger === 'dwell' ? numberOrText(form.dwellSeconds) ?? blank : blank,
    priority: numberOrText(form.priority) ?? 0,
    caps: perShopperPerDay === undefined ? {} : { perShopperPerDay },
    cooldownMinutes: numberOrText(form.cooldownMinutes) ?? blank,
    storeIds: form.storeIds,
  };
}

const dropUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function toCreateBody(form: OfferForm): Record<string, unknown> {
  return dropUndefined({ ...bodyFields(form, undefined), status: form.status });
}

/** PATCH body: every field the form edits (status changes go through pause / resume). */
export function toPatch(form: OfferForm): Record<string, unknown> {
  return bodyFields(form, null);
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
