import type { PromotionSendRequest } from '@app/contracts';

export const STOP_DEALS_PAYLOAD = 'STOP_DEALS';

const copy = {
  fr: { stop: 'Stop promos proches', away: (m: number) => `à ${m} m`, open: 'Voir l’offre' },
  en: { stop: 'Stop nearby deals', away: (m: number) => `${m} m away`, open: 'See the offer' },
};

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The Send API body for a promotion: a generic template card with the offer, a link when the
 * offer has one, and always a button to stop nearby deals. Messaging type RESPONSE: promotions go
 * only inside the standard window, never with a message tag.
 */
export function renderPromotion(request: PromotionSendRequest): Record<string, unknown> {
  const t = request.locale.startsWith('fr') ? copy.fr : copy.en;
  const m = request.message;
  const where = [request.storeName, request.distanceM > 0 ? t.away(Math.round(request.distanceM)) : null].filter(Boolean).join(' · ');
  const buttons: Record<string, unknown>[] = [];
  if (m.url) buttons.push({ type: 'web_url', url: m.url, title: t.open });
  buttons.push({ type: 'postback', title: t.stop, payload: STOP_DEALS_PAYLOAD });
  const element: Record<string, unknown> = {
    title: clip(m.title, 80),
    subtitle: clip(m.subtitle ?? where, 80),
    buttons,
  };
  if (m.imageUrl) element.image_url = m.imageUrl;
  if (m.url) element.default_action = { type: 'web_url', url: m.url };
  return {
    recipient: { id: request.psid },
    messaging_type: 'RESPONSE',
    message: { attachment: { type: 'template', payload: { template_type: 'generic', elements: [element] } } },
  };
}
