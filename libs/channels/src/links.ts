import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed links the bot puts in Messenger and the gateway serves: the location-sharing page
 * (`/share-location?t=…`) and the offer's click-tracking redirect (`/r/:requestId?t=…`). The
 * delivery service signs them, the gateway verifies them; both hold LINK_SIGNING_KEY. Pure: the
 * clock is passed in. A token is `<base64url payload>.<base64url HMAC-SHA256>`, with a purpose
 * label inside the MAC so a token of one kind never passes for the other.
 */

/** Meta-side expiry of a location-sharing link: at most 15 minutes (issue 6). */
export const SHARE_LINK_MAX_TTL_SECONDS = 15 * 60;

export interface ShareLinkClaims {
  pageId: string;
  psid: string;
  /** Epoch seconds. */
  exp: number;
}

export interface ClickLinkClaims {
  requestId: string;
  shopperId: string;
  offerId: string;
  url: string;
}

type Purpose = 'share-location' | 'click';

function mac(key: Buffer, purpose: Purpose, payload: string): Buffer {
  return createHmac('sha256', key).update(`${purpose}\n${payload}`).digest();
}

function sign(key: Buffer, purpose: Purpose, claims: object): string {
  const payload = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${payload}.${mac(key, purpose, payload).toString('base64url')}`;
}

function open(key: Buffer, purpose: Purpose, token: unknown): Record<string, unknown> | null {
  if (typeof token !== 'string' || token.length > 4096) return null;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(key, purpose, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function signShareLink(key: Buffer, pageId: string, psid: string, nowMs: number, ttlSeconds = SHARE_LINK_MAX_TTL_SECONDS): string {
  const exp = Math.floor(nowMs / 1000) + Math.min(ttlSeconds, SHARE_LINK_MAX_TTL_SECONDS);
  return sign(key, 'share-location', { pageId, psid, exp } satisfies ShareLinkClaims);
}

/** The claims of a valid, unexpired share link; null otherwise (forged, expired, too long-lived). */
export function verifyShareLink(key: Buffer, token: unknown, nowMs: number): ShareLinkClaims | null {
  const c = open(key, 'share-location', token);
  if (!c || typeof c.pageId !== 'string' || typeof c.psid !== 'string' || typeof c.exp !== 'number') return null;
  const nowS = nowMs / 1000;
  if (c.exp <= nowS || c.exp > nowS + SHARE_LINK_MAX_TTL_SECONDS + 5) return null;
  return { pageId: c.pageId, psid: c.psid, exp: c.exp };
}

export function signClickLink(key: Buffer, claims: ClickLinkClaims): string {
  return sign(key, 'click', claims);
}

export function verifyClickLink(key: Buffer, requestId: string, token: unknown): ClickLinkClaims | null {
  const c = open(key, 'click', token);
  if (!c || c.requestId !== requestId) return null;
  if (typeof c.shopperId !== 'string' || typeof c.offerId !== 'string' || typeof c.url !== 'string') return null;
  if (!/^https?:\/\//.test(c.url)) return null;
  return { requestId, shopperId: c.shopperId, offerId: c.offerId, url: c.url };
}

/** LINK_SIGNING_KEY as given (base64, ≥ 32 bytes), or derived from the active secrets key when unset. */
export function linkSigningKey(configured: string | undefined, secretsKeys: string, activeKid: string): Buffer {
  if (configured) return Buffer.from(configured, 'base64');
  const active = secretsKeys
    .split(',')
    .map((entry) => entry.trim().split(':'))
    .find(([kid]) => kid === activeKid);
  if (!active || !active[1]) throw new Error('LINK_SIGNING_KEY is unset and SECRETS_ACTIVE_KID names no key');
  return createHmac('sha256', Buffer.from(active[1], 'base64')).update('link-signing-key').digest();
}
