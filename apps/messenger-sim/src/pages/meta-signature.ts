import { createHmac } from 'node:crypto';

/**
 * How Meta puts a webhook on the wire: JSON with every non-ASCII UTF-16 unit escaped as a
 * lowercase `\uXXXX` (Meta's docs: "äöå" is sent as `\u00e4\u00f6\u00e5`) and `/` escaped as
 * `\/`, then an HMAC of exactly those bytes with the app secret. A receiver that re-serializes the
 * parsed JSON instead of verifying the raw bytes gets a different signature, as with Meta.
 */
export function metaJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('value has no JSON form');
  return json
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

export interface SignatureHeaders {
  'x-hub-signature-256'?: string;
  'x-hub-signature'?: string;
}

/** `good`: Meta's headers; `bad`: well-formed but wrong signatures; `missing`: no signature at all. */
export type SignatureMode = 'good' | 'bad' | 'missing';

export function signatureHeaders(
  body: Buffer,
  appSecret: string,
  mode: SignatureMode = 'good',
): SignatureHeaders {
  if (mode === 'missing') return {};
  const secret = mode === 'bad' ? `${appSecret}-forged` : appSecret;
  return {
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
  };
}
