import { WebhookBody } from './webhook.schema';
import { mapWebhook } from './webhook-mapper';

const receivedAt = new Date('2026-11-25T10:00:01.000Z');
const brands = new Map([['PAGE1', 'brand-1']]);
const body = (messaging: unknown[], pageId = 'PAGE1') =>
  WebhookBody.parse({ object: 'page', entry: [{ id: pageId, time: 1, messaging }] });
const from = (extra: object, timestamp = 1764064800000) => ({
  sender: { id: 'PSID1' },
  recipient: { id: 'PAGE1' },
  timestamp,
  ...extra,
});

describe('mapWebhook', () => {
  it('turns a location attachment into a location event only (the transition carries its window)', () => {
    const out = mapWebhook(
      body([from({ message: { mid: 'm1', attachments: [{ type: 'location', payload: { coordinates: { lat: 48.86, long: 2.34 } } }] } })]),
      brands,
      receivedAt,
    );
    expect(out.events.map((e) => e.topic)).toEqual(['shopper.location.v1']);
    const location = out.events[0].data as { lat: number; lng: number; source: string; shopperId: string; brandId: string };
    expect(location).toMatchObject({ lat: 48.86, lng: 2.34, source: 'messenger', shopperId: 'PAGE1:PSID1', brandId: 'brand-1' });
    expect(out.messageIds).toEqual(['m1']);
  });

  it('keeps the text of a message that also carries a location as an interaction', () => {
    const out = mapWebhook(
      body([from({ message: { mid: 'm5', text: 'promos près de moi', attachments: [{ type: 'location', payload: { coordinates: { lat: 45.76, long: 4.83 } } }] } })]),
      brands,
      receivedAt,
    );
    expect(out.events.map((e) => e.topic)).toEqual(['shopper.location.v1', 'shopper.interaction.v1']);
    expect(out.events[1].data).toMatchObject({ kind: 'text', text: 'promos près de moi', command: 'nearby', opensWindow: true });
  });

  it('recognises STOP, ignores echoes and events for unknown Pages', () => {
    const out = mapWebhook(
      body([from({ message: { mid: 'm2', text: 'ARRÊT' } }), from({ message: { mid: 'm3', text: 'hi', is_echo: true } })]),
      brands,
      receivedAt,
    );
    expect(out.events).toHaveLength(1);
    expect(out.events[0].data).toMatchObject({ kind: 'text', command: 'stop', opensWindow: true });
    expect(out.ignored).toBe(1);
    expect(mapWebhook(body([from({ message: { mid: 'm4', text: 'x' } })], 'OTHER'), brands, receivedAt).events).toHaveLength(0);
  });

  it('orders events by timestamp and gives a retried event the same id', () => {
    const events = [from({ message: { mid: 'late', text: 'b' } }, 2000), from({ message: { mid: 'early', text: 'a' } }, 1000)];
    const first = mapWebhook(body(events), brands, receivedAt);
    const again = mapWebhook(body(events), brands, new Date());
    expect(first.events.map((e) => (e.data as { messageId: string }).messageId)).toEqual(['early', 'late']);
    expect(again.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
  });

  it('maps postbacks, delivery and read receipts; only postbacks open the window', () => {
    const out = mapWebhook(
      body([
        from({ postback: { title: 'Stop nearby deals', payload: 'STOP_DEALS', mid: 'p1' } }),
        from({ delivery: { watermark: 5 } }),
        from({ read: { watermark: 6 } }),
      ]),
      brands,
      receivedAt,
    );
    expect(out.events.map((e) => [(e.data as { kind: string }).kind, (e.data as { opensWindow: boolean }).opensWindow])).toEqual([
      ['postback', true],
      ['delivery', false],
      ['read', false],
    ]);
    expect(out.events[0].data).toMatchObject({ command: 'stop' });
  });
});
