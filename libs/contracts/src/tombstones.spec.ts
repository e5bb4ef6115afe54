import { EventValidationError, createEvent } from './envelope';
import { Topics } from './topics';
import { eventOfTombstone, parseCatalogRecord, tombstoneOf } from './tombstones';

describe('catalog tombstones', () => {
  const deleted = createEvent(Topics.StoreCatalog, 'store.deleted', { storeId: 's-1', brandId: 'b-1', version: 7 });

  it('carries a deletion as key + null value + headers, and reads it back as the same event', () => {
    const tombstone = tombstoneOf(Topics.StoreCatalog, deleted);
    expect(tombstone).toEqual({
      key: 's-1',
      value: null,
      headers: {
        'event-type': 'store.deleted',
        'event-id': deleted.id,
        'occurred-at': deleted.occurredAt,
        'entity-type': 'store',
        'brand-id': 'b-1',
        'entity-version': '7',
      },
    });
    const headers = Object.fromEntries(Object.entries(tombstone!.headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(parseCatalogRecord(Topics.StoreCatalog, { key: Buffer.from('s-1'), value: null, headers })).toEqual(deleted);
  });

  it('leaves snapshots and topics without deletions alone', () => {
    const upserted = createEvent(Topics.BrandCatalog, 'brand.settings-updated', { brandId: 'b-1', version: 1, updatedAt: deleted.occurredAt });
    expect(tombstoneOf(Topics.BrandCatalog, upserted)).toBeNull();
    expect(parseCatalogRecord(Topics.BrandCatalog, { key: 'b-1', value: JSON.stringify(upserted) })).toEqual(upserted);
  });

  it('refuses a tombstone it cannot order (no version or brand) and one on a topic without deletions', () => {
    expect(() => eventOfTombstone(Topics.OfferCatalog, 'o-1', { 'brand-id': 'b-1' })).toThrow(EventValidationError);
    expect(() => eventOfTombstone(Topics.OfferCatalog, 'o-1', {})).toThrow(/headers.brand-id/);
    expect(() => eventOfTombstone(Topics.OfferCatalog, null, { 'brand-id': 'b', 'entity-version': '2' })).toThrow(/key/);
    expect(() => eventOfTombstone(Topics.BrandCatalog, 'b-1', { 'brand-id': 'b-1', 'entity-version': '2' })).toThrow(EventValidationError);
  });

  it('still refuses a malformed value', () => {
    expect(() => parseCatalogRecord(Topics.StoreCatalog, { key: 's-1', value: Buffer.from('{"id":"x"}') })).toThrow(EventValidationError);
  });
});
