import type { OfferMessage, PromotionSendRequest } from '@app/contracts';
// The Send API body messenger-delivery builds: the preview shows exactly what it would send.
import { renderPromotion } from '../../../messenger-delivery/src/sending/render';

/** The card the shopper sees: Messenger's generic template element. */
export interface PreviewCard {
  title: string;
  subtitle: string;
  imageUrl: string | null;
  /** Tapping the card opens the offer's link (through the click redirect) when it has one. */
  opensLink: boolean;
  buttons: string[];
}

/**
 * The offer's message for a shopper locale, as the engine picks it (promotion-engine's
 * `localeKeyFor`): exact locale, then language, else the default message.
 */
export function messageFor(message: OfferMessage, locales: Record<string, OfferMessage>, locale: string): OfferMessage {
  const keys = Object.keys(locales);
  const exact = keys.find((k) => k.toLowerCase() === locale.toLowerCase());
  const lang = locale.split('-')[0].toLowerCase();
  const key = exact ?? keys.find((k) => k.toLowerCase() === lang);
  return key ? locales[key] : message;
}

interface Element {
  title: string;
  subtitle: string;
  image_url?: string;
  default_action?: unknown;
  buttons: { title: string }[];
}

/** Renders the promotion through delivery's own renderer and reads back the card. Pure. */
export function previewCard(message: OfferMessage, locale: string, store: { name: string; location?: { lat: number; lng: number } }): PreviewCard {
  const request: PromotionSendRequest = {
    shopperId: 'preview:preview',
    pageId: 'preview',
    psid: 'preview',
    brandId: 'preview',
    requestId: 'preview',
    offerId: 'preview',
    storeId: 'preview',
    visitId: 'preview',
    storeName: store.name,
    storeLocation: store.location,
    distanceM: 0,
    locale,
    variant: locale,
    message,
    decidedAt: new Date(0).toISOString(),
    expiresAt: new Date(0).toISOString(),
  };
  const body = renderPromotion(request, { trackedOfferUrl: message.url ? 'https://preview.invalid/click' : null }) as {
    message: { attachment: { payload: { elements: Element[] } } };
  };
  const element = body.message.attachment.payload.elements[0];
  return {
    title: element.title,
    subtitle: element.subtitle,
    imageUrl: element.image_url ?? null,
    opensLink: element.default_action !== undefined,
    buttons: element.buttons.map((b) => b.title),
  };
}
