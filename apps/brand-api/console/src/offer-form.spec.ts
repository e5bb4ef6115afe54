import {
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
  type OfferForm,
  type OfferView,
} from './offer-form';

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

  it('maps audience, A/B variants, control share and every cap into the body POST /v1/offers takes', () => {
    const form = filled();
    const a = newVariant(form);
    a.message = { ...a.message, title: 'Variant A' };
    a.locales.en = { title: 'Variant A in English', subtitle: '', imageUrl: '', url: '' };
    const b = newVariant({ ...form, variants: [a] });
    b.weight = '3';
    b.message = { ...b.message, title: 'Variant B' };
    Object.assign(form, {
      variants: [a, b],
      controlShare: '0.1',
      audienceLocales: 'fr, en-GB, ',
      shopperTags: 'vip',
      interests: '',
      perShopperPerDay: '1',
      perShopperTotal: '3',
      maxSends: '500',
      cooldownMinutes: '60',
      trigger: 'dwell',
      dwellSeconds: '120',
    });
    expect(validateCreate(form)).toEqual({});
    expect(toCreateBody(form)).toEqual({
      name: 'Croissant',
      message: { title: 'Un croissant offert', url: 'https://example.com/c' },
      locales: {},
      startsAt: '2026-01-05T09:00:00.000Z',
      endsAt: '2026-01-12T09:00:00.000Z',
      trigger: 'dwell',
      dwellSeconds: 120,
      priority: 0,
      caps: { perShopperPerDay: 1, perShopperTotal: 3, maxSends: 500 },
      cooldownMinutes: 60,
      audience: { locales: ['fr', 'en-GB'], shopperTags: ['vip'] },
      variants: [
        { id: 'A', weight: 1, message: { title: 'Variant A', url: 'https://example.com/c' }, locales: { en: { title: 'Variant A in English' } } },
        { id: 'B', weight: 3, message: { title: 'Variant B', url: 'https://example.com/c' } },
      ],
      controlShare: 0.1,
      storeIds: [],
      status: 'draft',
    });
  });

  it('leaves the new fields out of a new offer when blank, and resets them in a PATCH', () => {
    const body = toCreateBody(filled());
    for (const field of ['audience', 'variants', 'controlShare', 'cooldownMinutes']) expect(body).not.toHaveProperty(field);
    expect(toPatch(filled())).toMatchObject({ audience: null, variants: [], controlShare: 0, cooldownMinutes: null, caps: {}, dwellSeconds: null });
  });

  it('refuses what the API refuses in the new fields, named as the API names them', () => {
    const form = filled();
    const a = { ...newVariant(form), weight: '0' };
    const b = { ...newVariant(form), id: 'has space' };
    Object.assign(form, { variants: [a, b], controlShare: '0.95', maxSends: '-2', perShopperTotal: '1.5', audienceLocales: 'x' });
    expect(Object.keys(validateCreate(form)).sort()).toEqual(['audience.locales.0', 'caps.maxSends', 'caps.perShopperTotal', 'controlShare', 'variants.0.weight', 'variants.1.id']);
    const twins = filled();
    twins.variants = [newVariant(twins), newVariant(twins)];
    expect(Object.keys(validateCreate(twins))).toEqual(['variants']);
  });

  it('edits an offer with variants and an audience without losing them, or translations it does not edit', () => {
    const withAll: OfferView = {
      ...view,
      locales: { en: { title: 'A free croissant' }, de: { title: 'Ein Croissant' } },
      audience: { shopperTags: ['vip'] },
      caps: { maxSends: 10 },
      variants: [{ id: 'A', weight: 2, message: { title: 'A' }, locales: { fr: { title: 'A fr' }, it: { title: 'A it' } } }, { id: 'B', weight: 1, message: { title: 'B' } }],
      controlShare: 0.2,
    };
    const form = formOf(withAll);
    expect(form).toMatchObject({ shopperTags: 'vip', maxSends: '10', controlShare: '0.2', otherLocales: { de: { title: 'Ein Croissant' } } });
    expect(validateEdit(withAll, form)).toEqual({});
    expect(toPatch(form)).toMatchObject({
      locales: { en: { title: 'A free croissant' }, de: { title: 'Ein Croissant' } },
      audience: { shopperTags: ['vip'] },
      variants: [{ id: 'A', weight: 2, message: { title: 'A' }, locales: { it: { title: 'A it' }, fr: { title: 'A fr' } } }, { id: 'B', weight: 1, message: { title: 'B' } }],
      controlShare: 0.2,
      caps: { maxSends: 10 },
    });
  });

  it('shows a list’s error on its one input, and lists the errors no input can show', () => {
    const errors = { 'audience.locales.1': 'too short', 'storeIds.0': 'unknown store', '(body)': 'nothing to change', 'locales.de.title': 'required' };
    expect(errorFor(errors, 'audience.locales')).toBe('too short');
    expect(errorFor(errors, 'storeIds')).toBe('unknown store');
    expect(errorFor(errors, 'name')).toBeUndefined();
    expect(unplacedErrors(errors, offerInputIds(filled()))).toEqual({ '(body)': 'nothing to change', 'locales.de.title': 'required' });
  });
});
