import type { ApiKeyEntity } from '@app/database';

/** What the API says about a key: never the key, only its first characters. */
export interface ApiKeyView {
  id: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  /** Whether this is the key the request was made with. */
  current: boolean;
}

export function toApiKeyView(k: ApiKeyEntity, currentKeyId: string): ApiKeyView {
  return { id: k.id, prefix: k.prefix, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null, current: k.id === currentKeyId };
}
