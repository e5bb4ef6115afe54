/** Worked examples for /docs (OpenAPI). */
export const EXAMPLE_STORE = {
  name: 'Rivoli',
  externalId: 'FR-PAR-0042',
  location: { lat: 48.8606, lng: 2.3376 },
  geofence: { type: 'circle', radiusM: 80 },
  timezone: 'Europe/Paris',
  openingHours: 'Mo-Sa 09:00-20:00; Su 10:00-13:00; PH off',
  country: 'FR',
  tags: ['paris', 'flagship'],
};

export const EXAMPLE_POLYGON_STORE = {
  ...EXAMPLE_STORE,
  externalId: 'FR-PAR-0043',
  geofence: {
    type: 'polygon',
    coordinates: [
      [[2.3370, 48.8602], [2.3382, 48.8602], [2.3382, 48.8610], [2.3370, 48.8610], [2.3370, 48.8602]],
      [[2.3374, 48.8605], [2.3376, 48.8605], [2.3376, 48.8607], [2.3374, 48.8607], [2.3374, 48.8605]],
    ],
  },
};

export const EXAMPLE_STORE_VIEW = {
  id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  ...EXAMPLE_STORE,
  country: 'fr',
  version: 1,
  createdAt: '2026-01-05T09:30:00.000Z',
  updatedAt: '2026-01-05T09:30:00.000Z',
};

export const EXAMPLE_IMPORT = {
  stores: [EXAMPLE_STORE, { ...EXAMPLE_STORE, externalId: 'FR-LYO-0007', name: 'Bellecour', location: { lat: 45.7578, lng: 4.832 } }],
};

export const EXAMPLE_IMPORT_REPORT = {
  received: 3,
  created: 1,
  updated: 1,
  unchanged: 0,
  rejected: [{ index: 2, externalId: 'FR-NCE-0001', errors: [{ field: 'timezone', message: 'must be an IANA time zone, e.g. Europe/Paris' }] }],
  warnings: [
    {
      index: 1,
      externalId: 'FR-LYO-0007',
      field: 'openingHours',
      message: 'You have used 2 not connected weekdays in one rule. This is probably an error. …',
    },
  ],
};

export const EXAMPLE_STORE_DELETION = {
  id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
  deleted: true,
  offersChanged: [
    { id: '9b2f6c1e-1d2a-4f7b-8a9c-0d1e2f3a4b5c', version: 4, status: 'active', statusReason: null, storeIds: ['5c0e7a1b-2d3f-4a5b-9c8d-7e6f5a4b3c2d'] },
    { id: '1f0e2d3c-4b5a-4968-8776-655443322110', version: 2, status: 'paused', statusReason: 'stores_deleted', storeIds: [] },
  ],
};
