import type { ShopperCommand } from '@app/contracts';

/** Lower case, accents removed, punctuation folded to spaces: "ARRÊT !" → "arret". */
export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const STOP = new Set(['stop', 'arret', 'stop deals', 'stop promos', 'desabonner', 'se desabonner', 'unsubscribe', 'stop nearby deals']);
const START = new Set(['start', 'demarrer', 'reprendre', 'subscribe', 'start deals']);
const NEARBY = [
  /\b(promos?|promotions?|offres?|bons plans?|reductions?)\b.*\b(pres de moi|autour de moi|a proximite|proche|ici)\b/,
  /\b(deals?|offers?|promos?|discounts?)\b.*\b(near me|nearby|around me|close by|around here)\b/,
  /^(near me|nearby|pres de moi|autour de moi)$/,
];

/** Postback payloads of the bot's own buttons. */
export const Payloads = {
  StopDeals: 'STOP_DEALS',
  StartDeals: 'START_DEALS',
  GetStarted: 'GET_STARTED',
  NearbyDeals: 'NEARBY_DEALS',
} as const;

/** What a shopper's words ask for, in French or English; stop words must be the whole message. */
export function detectCommand(text: string | null | undefined): ShopperCommand | null {
  if (!text) return null;
  const normalized = normalizeText(text);
  if (STOP.has(normalized)) return 'stop';
  if (START.has(normalized)) return 'start';
  if (NEARBY.some((re) => re.test(normalized))) return 'nearby';
  return null;
}

export function commandOfPayload(payload: string | null | undefined): ShopperCommand | null {
  switch (payload) {
    case Payloads.StopDeals:
      return 'stop';
    case Payloads.StartDeals:
      return 'start';
    case Payloads.GetStarted:
    case Payloads.NearbyDeals:
      return 'nearby';
    default:
      return detectCommand(payload);
  }
}
