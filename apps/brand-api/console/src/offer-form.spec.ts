import { apiFieldErrors, emptyForm, formOf, nextStatuses, toCreateBody, validateCreate, validateEdit, type OfferForm, type OfferView } from './offer-form';

const now = new Date('2026-01-05T09:00:00Z');

function filled(): OfferForm {
  const form = emptyForm(now);
  return { ...form, name: 'Croissant', message: { title: 'Un croissant offert', subtitle: '', imageUrl: '', url: 'https://example.com/c' } };
}

const view: OfferView = {
  id: '9b2f6c1e-1d2a-4f7b-8a9c-0d1e2f3a4b5c',
  name: 'Croissant',
  storeIds: [],
  message: { title: 'Un croissant offert' },
  locales: { en: { title: 'A free croissant' } },
  startsAt: '2026-01-05T07:00:00.000Z',
  endsAt: '2026-01-31T22:00:00.000Z',
  trigger: 'enter',
  dwellSeconds: null,
  caps: {},
  cooldownMinutes: null,
  priority: 0,
  audience: null,
  status: 'active',
  version: 1,
  updatedAt: '2026-01-04T16:00:00.000Z',
  createdAt: '2026-01-04T16:00:00.000Z',
  variants: [],
  controlShare: 0,
};

describe('console offer form (the API’s own schemas)', () => {
  it('accepts a complete offer and builds the body POST /v1/offers takes', () => {
    const form = filled();
    expect(validateCreate(form)).toEqual({});
    const body = toCreateBody(form);
    expect(body).toMatchObject({ name: 'Croissant', message: { title: 'Un croissant offert', url: 'https://example.com/c' }, trigger: 'enter', status: 'draft', caps: {}, locales: {} });
    expect(body).not.toHaveProperty('dwellSeconds');
  });

  it('names each wrong field the way the API does', () => {
    const form = filled();
    form.message.title = 'x'.repeat(81);
    form.message.url = 'http://insecure.example.com';
    form.locales.en = { title: '', subtitle: 'Today only', imageUrl: '', url: '' };
    form.endsAt = form.startsAt;
    form.trigger = 'dwell';
    form.priority = 'high';
    const errors = validateCreate(form);
    expect(Object.keys(errors).sort()).toEqual(['locales.en.title', 'message.title', 'message.url', 'priority']);
  });

  it('checks the fields across each other once each field is right (endsAt, dwellSeconds)', () => {
    const form = filled();
    form.endsAt = form.startsAt;
    form.trigger = 'dwell';
    expect(Object.keys(validateCreate(form)).sort()).toEqual(['dwellSeconds', 'endsAt']);
  });

  it('checks an edit as PATCH does: the patch, then the whole offer it makes', () => {
    const form = formOf(view);
    expect(form.locales.en.title).toBe('A free croissant');
    expect(validateEdit(view, form)).toEqual({});
    expect(Object.keys(validateEdit(view, { ...form, trigger: 'dwell', dwellSeconds: '' }))).toEqual(['dwellSeconds']);
    expect(Object.keys(validateEdit(view, { ...form, dwellSeconds: '10', trigger: 'dwell' }))).toEqual(['dwellSeconds']);
  });

  it('shows the API’s 400 details next to their fields and ignores anything else', () => {
    expect(apiFieldErrors([{ field: 'storeIds.0', message: 'unknown store' }, { nope: 1 }])).toEqual({ 'storeIds.0': 'unknown store' });
    expect(apiFieldErrors(undefined)).toEqual({});
  });

  it('offers the moves the lifecycle allows', () => {
    expect(nextStatuses('active')).toEqual(['paused', 'ended']);
    expect(nextStatuses('paused')).toEqual(['active', 'ended']);
    expect(nextStatuses('ended')).toEqual([]);
  });
});
