import type { PromotionSendRequest } from '@app/contracts';
import { renderPromotion } from './render';

const request: PromotionSendRequest = {
  shopperId: 'P:S', pageId: 'P', psid: 'S', brandId: 'b', requestId: 'r', offerId: 'o', storeId: 's', visitId: 'v',
  storeName: 'Rivoli', distanceM: 35, locale: 'fr', variant: 'default',
  message: { title: 'x'.repeat(100), url: 'https://example.com/o' },
  decidedAt: '2026-11-25T10:00:00.000Z', expiresAt: '2026-11-25T10:10:00.000Z',
};

describe('renderPromotion', () => {
  it('renders a generic template within Messenger limits, with a stop button', () => {
    const body = renderPromotion(request) as { messaging_type: string; message: { attachment: { payload: { elements: { title: string; subtitle: string; buttons: { type: string; payload?: string }[] }[] } } } };
    expect(body.messaging_type).toBe('RESPONSE');
    const [element] = body.message.attachment.payload.elements;
    expect(element.title.length).toBeLessThanOrEqual(80);
    expect(element.subtitle).toBe('Rivoli · à 35 m');
    expect(element.buttons.map((b) => b.type)).toEqual(['web_url', 'postback']);
    expect(element.buttons[1].payload).toBe('STOP_DEALS');
  });
});
