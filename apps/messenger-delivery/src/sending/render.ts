import type { PromotionSendRequest } from '@app/contracts';

export const STOP_DEALS_PAYLOAD = 'STOP_DEALS';

export type Lang = 'fr' | 'en';

const copy = {
  fr: { stop: 'Stop promos proches', away: (m: number) => `à ${m} m`, open: 'Voir l’offre', directions: 'Itinéraire' },
  en: { stop: 'Stop nearby deals', away: (m: number) => `${m} m away`, open: 'See the offer', directions: 'Directions' },
} as const;

export function langOf(locale: string): Lang {
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A maps link to the store: its coordinates when the request has them, else its name. */
export function directionsUrl(request: Pick<PromotionSendRequest, 'storeLocation' | 'storeName'>): string {
  const destination = request.storeLocation
    ? `${request.storeLocation.lat.toFixed(6)},${request.storeLocation.lng.toFixed(6)}`
    : request.storeName;
  return `https://www.google.com/maps/dir/?api=1&destination=${encodeURIComponent(destination)}`;
}

/**
 * The Send API body for a promotion: a generic template card in the shopper's language with the
 * offer, "Directions" to the store, the offer's link through the gateway's click redirect (when
 * the offer has a link) and always "Stop nearby deals". Messaging type RESPONSE: promotions go
 * only inside the standard window, never with a message tag.
 */
export function renderPromotion(request: PromotionSendRequest, links: { trackedOfferUrl: string | null }): Record<string, unknown> {
  const t = copy[langOf(request.locale)];
  const m = request.message;
  const where = [request.storeName, request.distanceM > 0 ? t.away(Math.round(request.distanceM)) : null].filter(Boolean).join(' · ');
  const buttons: Record<string, unknown>[] = [{ type: 'web_url', url: directionsUrl(request), title: t.directions }];
  if (links.trackedOfferUrl) buttons.push({ type: 'web_url', url: links.trackedOfferUrl, title: t.open });
  buttons.push({ type: 'postback', title: t.stop, payload: STOP_DEALS_PAYLOAD });
  const element: Record<string, unknown> = {
    title: clip(m.title, 80),
    subtitle: clip(m.subtitle ?? where, 80),
    buttons,
  };
  if (m.imageUrl) element.image_url = m.imageUrl;
  if (links.trackedOfferUrl) element.default_action = { type: 'web_url', url: links.trackedOfferUrl };
  return {
    recipient: { id: request.psid },
    messaging_type: 'RESPONSE',
    message: { attachment: { type: 'template', payload: { template_type: 'generic', elements: [element] } } },
  };
}
