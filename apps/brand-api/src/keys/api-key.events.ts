import type { ApiKeyIssued } from '@app/contracts';
import type { ApiKeyEntity } from '@app/database';

/** A key's versions on catalog.api-key.v1: issued, then revoked (a tombstone). */
export const API_KEY_ISSUED_VERSION = 1;
export const API_KEY_REVOKED_VERSION = 2;

/** What the gateway may know of a key: its id, brand and SHA-256, never the key. */
export function toApiKeyIssued(key: Pick<ApiKeyEntity, 'id' | 'brandId' | 'keySha256' | 'createdAt'>): ApiKeyIssued {
  return {
    keyId: key.id,
    brandId: key.brandId,
    version: API_KEY_ISSUED_VERSION,
    keySha256: key.keySha256,
    createdAt: key.createdAt.toISOString(),
  };
}
