import { randomBytes, randomInt } from 'node:crypto';

/** Messenger message ids look like `m_` followed by a long url-safe random string. */
export function newMid(): string {
  return `m_${randomBytes(18).toString('base64url')}`;
}

/** Graph API trace ids are short url-safe strings, one per error answer. */
export function newFbtraceId(): string {
  return randomBytes(8).toString('base64url');
}

/** Meta's verification challenges are numeric strings. */
export function newChallenge(): string {
  return String(randomInt(1_000_000_000, 2_000_000_000));
}
