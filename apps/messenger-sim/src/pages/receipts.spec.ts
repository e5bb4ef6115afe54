import { receiptEvents } from './receipts';

describe('receiptEvents', () => {
  const sends = [
    { pageId: 'P', psid: 'a', mid: 'm1', atMs: 10 },
    { pageId: 'P', psid: 'a', mid: 'm2', atMs: 20 },
    { pageId: 'P', psid: 'b', mid: 'm3', atMs: 15 },
    { pageId: 'Q', psid: 'a', mid: 'm4', atMs: 12 },
  ];

  it('batches one delivery per shopper with the mids and the latest time as watermark', () => {
    const out = receiptEvents('delivery', sends, 100);
    expect(out.get('P')).toEqual([
      { sender: { id: 'a' }, recipient: { id: 'P' }, timestamp: 100, delivery: { mids: ['m1', 'm2'], watermark: 20 } },
      { sender: { id: 'b' }, recipient: { id: 'P' }, timestamp: 100, delivery: { mids: ['m3'], watermark: 15 } },
    ]);
    expect(out.get('Q')).toHaveLength(1);
  });

  it('reads carry only the watermark', () => {
    expect(receiptEvents('read', sends, 100).get('Q')).toEqual([{ sender: { id: 'a' }, recipient: { id: 'Q' }, timestamp: 100, read: { watermark: 12 } }]);
  });
});
