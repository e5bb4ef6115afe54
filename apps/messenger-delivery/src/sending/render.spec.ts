import type { PromotionSendRequest } from '@app/contracts';
import { directionsUrl, renderPromotion } from './render';

const request: PromotionSendRequest = {
  shopperId: 'P:S', pageId: 'P', psid: 'S', brandId: 'b', requestId: 'r', offerId: 'o', storeId: 's', visitId: 'v',
  storeName: 'Rivoli', storeLocation: { lat: 48.8606, lng: 2.3376 }, distanceM: 35, locale: 'fr', variant: 'default',
  message: { title: 'x'.repeat(100), url: 'https://example.com/o' },
  decidedAt: '2026-11-25T10:00:00.000Z', expiresAt: '2026-11-25T10:10:00.000Z',
};

type Body = { messaging_type: string; message: { attachment: { payload: { elements: { title: string; subtitle: string; default_action?: { url: string }; buttons: { type: string; title: string; url?: string; payload?: string }[] }[] } } } };

describe('renderPromotion', () => {
  it('renders a generic template within Messenger limits: directions, tracked offer link, stop', () => {
    const body = renderPromotion(request, { trackedOfferUrl: 'https://gw.example/r/r?t=x' }) as Body;
    expect(body.messaging_type).toBe('RESPONSE');
    const [element] = body.message.attachment.payload.elements;
    expect(element.title.length).toBeLessThanOrEqual(80);
    expect(element.subtitle).toBe('Rivoli · à 35 m');
    expect(element.buttons.map((b) => b.title)).toEqual(['Itinéraire', 'Voir l’offre', 'Stop promos proches']);
    expect(element.buttons[0].url).toBe('https://www.google.com/maps/dir/?api=1&destination=48.860600%2C2.337600');
    expect(element.buttons[1].url).toBe('https://gw.example/r/r?t=x');
    expect(element.default_action?.url).toBe('https://gw.example/r/r?t=x');
    expect(element.buttons[2].payload).toBe('STOP_DEALS');
    for (const b of element.buttons) expect(b.title.length).toBeLessThanOrEqual(20);
  });

  it('speaks English to an English locale and points to the store by name without coordinates', () => {
    const body = renderPromotion({ ...request, locale: 'en_GB', storeLocation: undefined, message: { title: 'Deal' } }, { trackedOfferUrl: null }) as Body;
    const [element] = body.message.attachment.payload.elements;
    expect(element.buttons.map((b) => b.title)).toEqual(['Directions', 'Stop nearby deals']);
    expect(element.subtitle).toBe('Rivoli · 35 m away');
    expect(directionsUrl({ storeName: 'Rivoli' })).toContain('destination=Rivoli');
  });
});
