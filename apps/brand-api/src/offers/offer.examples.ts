/** Worked examples for /docs (OpenAPI). */
export const EXAMPLE_OFFER = {
  name: 'Coffee on us',
  storeIds: ['3fa85f64-5717-4562-b3fc-2c963f66afa6'],
  message: {
    title: 'Un croissant offert pour un café acheté',
    subtitle: 'Aujourd’hui seulement',
    imageUrl: 'https://cdn.example.com/croissant.jpg',
    url: 'https://example.com/offers/croissant',
  },
  locales: { en: { title: 'A free croissant with your coffee', subtitle: 'Today only' } },
  startsAt: '2026-01-05T07:00:00Z',
  endsAt: '2026-01-31T22:00:00Z',
  trigger: 'dwell',
  dwellSeconds: 120,
  caps: { perShopperPerDay: 1, perShopperTotal: 3, maxSends: 10000 },
  cooldownMinutes: 240,
  priority: 10,
  audience: { locales: ['fr', 'en'], shopperTags: ['loyalty'], interests: ['coffee'] },
  status: 'active',
};

export const EXAMPLE_OFFER_VIEW = {
  id: '9b2f6c1e-1d2a-4f7b-8a9c-0d1e2f3a4b5c',
  ...EXAMPLE_OFFER,
  statusReason: null,
  version: 1,
  createdAt: '2026-01-04T16:00:00.000Z',
  updatedAt: '2026-01-04T16:00:00.000Z',
};

export const EXAMPLE_OFFER_STATS = {
  offerId: '9b2f6c1e-1d2a-4f7b-8a9c-0d1e2f3a4b5c',
  requested: 120,
  sent: 100,
  delivered: 97,
  read: 80,
  clicked: 21,
  failed: 3,
  expired: 2,
  skipped: 15,
  skippedByReason: { outside_messaging_window: 12, opted_out: 3 },
  failedByReason: { token_invalid: 3 },
};
