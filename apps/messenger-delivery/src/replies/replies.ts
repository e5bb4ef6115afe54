import type { ShopperCommand, ShopperInteraction } from '@app/contracts';
import { STOP_DEALS_PAYLOAD, type Lang } from '../sending/render';

/**
 * The bot's answers to what the shopper asked (the gateway recognised the command): a confirmation
 * of opt-out and opt-in, and for "deals near me" / Get Started a button opening the gateway's
 * location-sharing page. Pure.
 */

const FRENCH_HINTS = /\b(arr[eê]t|d[ée]sabonner|promos?|pr[eè]s|moi|bonjour|salut|d[ée]marrer|reprendre|offres?|autour|proximit[ée])\b/i;
const ENGLISH_HINTS = /\b(unsubscribe|deals?|near|nearby|me|hello|hi|offers?|around|subscribe)\b/i;

/** The reply's language: from the shopper's own words when they tell, else the default. */
export function replyLang(interaction: Pick<ShopperInteraction, 'text'>, fallback: Lang): Lang {
  const text = interaction.text ?? '';
  if (FRENCH_HINTS.test(text)) return 'fr';
  if (ENGLISH_HINTS.test(text)) return 'en';
  return fallback;
}

const copy = {
  fr: {
    stop: 'C’est noté : vous ne recevrez plus de promos à proximité. Écrivez START pour les réactiver.',
    start: 'C’est reparti : vous recevrez à nouveau les promos des magasins proches. Écrivez STOP pour arrêter.',
    nearby: 'Pour voir les promos autour de vous, partagez votre position (le lien est valable 15 minutes).',
    share: 'Partager ma position',
    stopButton: 'Stop promos proches',
  },
  en: {
    stop: 'Done: you will not receive nearby deals any more. Send START to turn them back on.',
    start: 'You are back in: you will receive deals from stores near you again. Send STOP to stop.',
    nearby: 'To see deals around you, share your location (the link is valid for 15 minutes).',
    share: 'Share my location',
    stopButton: 'Stop nearby deals',
  },
} as const;

/** Which interactions get an answer: a shopper's own words or taps, never receipts or clicks. */
export function needsReply(interaction: Pick<ShopperInteraction, 'command' | 'kind'>): interaction is { command: ShopperCommand; kind: ShopperInteraction['kind'] } {
  return interaction.command !== null && ['text', 'quick_reply', 'postback', 'optin'].includes(interaction.kind);
}

export function renderReply(command: ShopperCommand, psid: string, lang: Lang, shareUrl: string): Record<string, unknown> {
  const t = copy[lang];
  const recipient = { id: psid };
  if (command === 'nearby') {
    return {
      recipient,
      messaging_type: 'RESPONSE',
      message: {
        attachment: {
          type: 'template',
          payload: {
            template_type: 'button',
            text: t.nearby,
            buttons: [
              { type: 'web_url', url: shareUrl, title: t.share, webview_height_ratio: 'tall' },
              { type: 'postback', title: t.stopButton, payload: STOP_DEALS_PAYLOAD },
            ],
          },
        },
      },
    };
  }
  return { recipient, messaging_type: 'RESPONSE', message: { text: command === 'stop' ? t.stop : t.start } };
}
