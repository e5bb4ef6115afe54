import { IMPORT_BATCH, IMPORT_BATCH_POSITIONS, importBatches, validateImport } from './import-stores.usecase';
import type { NewStore } from './store.repository';
import { MAX_FENCE_VERTICES } from './store-rules';

const ring = (vertices: number, lng: number): [number, number][] => {
  const positions = Array.from({ length: vertices - 1 }, (_, i): [number, number] => [
    lng + 0.001 * Math.cos((2 * Math.PI * i) / (vertices - 1)),
    48.86 + 0.001 * Math.sin((2 * Math.PI * i) / (vertices - 1)),
  ]);
  return [...positions, positions[0]];
};

const store = (i: number, overrides: Record<string, unknown> = {}) => ({
  externalId: `ext-${i}`,
  name: `Store ${i}`,
  location: { lat: 48.86, lng: 2.3 + i * 0.01 },
  geofence: { type: 'circle', radiusM: 80 },
  timezone: 'Europe/Paris',
  openingHours: 'Mo-Sa 09:00-20:00; PH off',
  country: 'FR',
  ...overrides,
});

describe('validateImport (each store of a bulk import checked on its own)', () => {
  it('keeps the valid stores and reports the others by index, in order, with a repeated externalId named', async () => {
    const result = await validateImport('brand-1', [store(0), store(1, { location: { lat: 91, lng: 2 } }), store(2), store(3, { externalId: 'ext-0' }), {}]);
    expect(result.valid.map((s) => s.externalId)).toEqual(['ext-0', 'ext-2']);
    expect(result.rejected.map((r) => [r.index, r.externalId])).toEqual([
      [1, 'ext-1'],
      [3, 'ext-0'],
      [4, null],
    ]);
    expect(result.rejected[0].errors.map((e) => e.field)).toContain('location.lat');
    expect(result.rejected[1].errors).toEqual([{ field: 'externalId', message: 'repeats the store at index 0 of this request' }]);
  });

  it('lets the event loop turn while it checks stores with the largest polygon fences', async () => {
    // Fences of 2,000 positions: 25-60 ms of turf each in brand-api (~1 s under jest), far above a slice.
    const items = Array.from({ length: 2 }, (_, i) => store(i, { geofence: { type: 'polygon', coordinates: [ring(MAX_FENCE_VERTICES, 2.3 + i * 0.01)] } }));
    let turns = 0;
    let validating = true;
    const spin = () => {
      if (!validating) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const result = await validateImport('brand-1', items);
    validating = false;
    expect(result.rejected).toEqual([]);
    expect(result.valid).toHaveLength(2);
    // Done in one go, the loop would not have turned once before the result.
    expect(turns).toBeGreaterThan(0);
  }, 30_000);
});

describe('importBatches (the write transactions of a bulk import)', () => {
  const circle = (i: number) => ({ id: `c${i}`, geofence: { type: 'circle', radiusM: 80 } }) as unknown as NewStore;
  const polygon = (i: number, positions: number) => ({ id: `p${i}`, geofence: { type: 'polygon', coordinates: [ring(positions, 2.3)] } }) as unknown as NewStore;

  it('cuts circles into batches of IMPORT_BATCH stores', () => {
    const batches = importBatches(Array.from({ length: 2_500 }, (_, i) => circle(i)));
    expect(batches.map((b) => b.length)).toEqual([IMPORT_BATCH, IMPORT_BATCH, 500]);
  });

  it('cuts detailed fences into batches of at most IMPORT_BATCH_POSITIONS positions, keeping the order', () => {
    const stores = Array.from({ length: 300 }, (_, i) => polygon(i, 2_000));
    const batches = importBatches(stores);
    expect(batches.map((b) => b.length)).toEqual(Array.from({ length: 6 }, () => IMPORT_BATCH_POSITIONS / 2_000));
    expect(batches.flat().map((s) => s.id)).toEqual(stores.map((s) => s.id));
  });

  it('gives a store heavier than a batch a batch of its own, and none is ever empty', () => {
    const stores = [circle(0), polygon(1, IMPORT_BATCH_POSITIONS + 1), circle(2)];
    expect(importBatches(stores).map((b) => b.map((s) => s.id))).toEqual([['c0'], ['p1'], ['c2']]);
    expect(importBatches([])).toEqual([]);
  });
});
