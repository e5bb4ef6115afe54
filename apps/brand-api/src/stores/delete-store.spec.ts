import { withoutStore } from './delete-store.usecase';

describe('withoutStore (what deleting a store does to an offer naming it)', () => {
  it('removes the store and keeps the status while other stores remain', () => {
    expect(withoutStore({ storeIds: ['a', 'b'], status: 'active', statusReason: null }, 'a')).toEqual({
      storeIds: ['b'],
      status: 'active',
      statusReason: null,
    });
  });

  it('pauses an active offer that would otherwise widen to every store', () => {
    expect(withoutStore({ storeIds: ['a'], status: 'active', statusReason: null }, 'a')).toEqual({
      storeIds: [],
      status: 'paused',
      statusReason: 'stores_deleted',
    });
  });

  it('keeps a draft or paused offer as it is, marked', () => {
    expect(withoutStore({ storeIds: ['a'], status: 'draft', statusReason: null }, 'a')).toMatchObject({ status: 'draft', statusReason: 'stores_deleted' });
    expect(withoutStore({ storeIds: ['a'], status: 'paused', statusReason: null }, 'a')).toMatchObject({ status: 'paused', statusReason: 'stores_deleted' });
  });
});
