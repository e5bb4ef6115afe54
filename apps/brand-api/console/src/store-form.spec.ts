import type { StoreView } from './map-view';
import { storeFormOf, toStorePatch, validateStoreForm, type StoreFormMessages } from './store-form';

const store: StoreView = {
  id: '0b7f2c1e-1d2a-4f7b-8a9c-0d1e2f3a4b5c',
  name: 'Rivoli',
  externalId: 'rivoli',
  location: { lat: 48.8606, lng: 2.3376 },
  geofence: { type: 'circle', radiusM: 80 },
  timezone: 'Europe/Paris',
  openingHours: '24/7',
  tags: ['paris'],
  country: 'fr',
};

const m: StoreFormMessages = {
  required: 'required',
  tooLong: (max) => `max ${max}`,
  tooMany: (max) => `at most ${max}`,
  country: 'country',
  radius: (min, max) => `${min}-${max}`,
  nothingToChange: 'nothing',
};

describe('console store form', () => {
  it('sends only what changed, blank hours and country as removed', () => {
    const form = storeFormOf(store);
    expect(form).toEqual({ name: 'Rivoli', tags: 'paris', openingHours: '24/7', country: 'FR', radiusM: '80' });
    expect(toStorePatch(store, form)).toEqual({});
    expect(validateStoreForm(store, form, m)).toEqual({ '(body)': 'nothing' });
    const changed = { name: ' Rivoli Louvre ', tags: 'paris, bakery,', openingHours: ' Mo-Sa 08:00-20:00 ', country: '', radiusM: '120' };
    expect(toStorePatch(store, changed)).toEqual({
      name: 'Rivoli Louvre',
      tags: ['paris', 'bakery'],
      openingHours: 'Mo-Sa 08:00-20:00',
      country: null,
      geofence: { type: 'circle', radiusM: 120 },
    });
    expect(validateStoreForm(store, changed, m)).toEqual({});
    expect(toStorePatch(store, { ...form, openingHours: '' })).toEqual({ openingHours: null });
  });

  it('checks what needs no library, keyed like the API; hours syntax is left to the API', () => {
    const errors = validateStoreForm(store, { name: ' ', tags: 'x'.repeat(65), openingHours: 'not hours at all', country: 'FRA', radiusM: '10' }, m);
    expect(errors).toEqual({ name: 'required', tags: 'max 64', country: 'country', 'geofence.radiusM': '20-5000' });
    expect(validateStoreForm(store, { ...storeFormOf(store), radiusM: 'wide' }, m)).toEqual({ 'geofence.radiusM': '20-5000' });
  });

  it('never sends a geofence for a polygon store', () => {
    const polygonStore: StoreView = { ...store, geofence: { type: 'polygon', coordinates: [[[2.33, 48.86], [2.34, 48.86], [2.34, 48.87], [2.33, 48.86]]] } };
    const form = storeFormOf(polygonStore);
    expect(form.radiusM).toBe('');
    expect(toStorePatch(polygonStore, { ...form, name: 'Louvre' })).toEqual({ name: 'Louvre' });
    expect(validateStoreForm(polygonStore, { ...form, name: 'Louvre' }, m)).toEqual({});
  });
});
