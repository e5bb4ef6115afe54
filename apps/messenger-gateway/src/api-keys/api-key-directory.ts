import { EventOf, Topics } from '@app/contracts';
import { DomainError } from '@app/http';
import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';

interface KnownKey {
  brandId: string;
  sha256: Buffer;
  version: number;
}

/**
 * The gateway's projection of catalog.api-key.v1: which brand each active API key belongs to, by
 * the key's SHA-256 (brand-api never publishes a key, only its hash). Held in memory and rebuilt
 * from the compacted topic at every start (ApiKeyCatalogConsumer); a revocation (a tombstone)
 * removes the key as soon as it is consumed.
 */
@Injectable()
export class ApiKeyDirectory {
  private readonly byId = new Map<string, KnownKey>();
  /** SHA-256 (hex) → key id. */
  private readonly byHash = new Map<string, string>();
  /** Highest version seen of every key, revoked ones included: an old snapshot never revives a key. */
  private readonly versions = new Map<string, number>();
  private built = false;

  apply(event: EventOf<typeof Topics.ApiKeyCatalog>): void {
    const { keyId, version } = event.data;
    if ((this.versions.get(keyId) ?? -1) >= version) return;
    this.versions.set(keyId, version);
    const known = this.byId.get(keyId);
    if (known) {
      this.byHash.delete(known.sha256.toString('hex'));
      this.byId.delete(keyId);
    }
    if (event.type === 'api-key.issued') {
      this.byId.set(keyId, { brandId: event.data.brandId, sha256: Buffer.from(event.data.keySha256, 'hex'), version });
      this.byHash.set(event.data.keySha256, keyId);
    }
  }

  markBuilt(): void {
    this.built = true;
  }

  get isBuilt(): boolean {
    return this.built;
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * The brand of a presented key, or null when it is unknown or revoked. The lookup is by the
   * key's SHA-256, so its timing says nothing usable about the key; the final comparison of the
   * digests is constant-time. Until the projection has read the topic to its end: 503, never a
   * wrong 401.
   */
  brandOfKey(apiKey: string): string | null {
    if (!this.built) throw new DomainError('UNAVAILABLE', 'API keys are still being loaded, retry in a moment');
    const digest = createHash('sha256').update(apiKey, 'utf8').digest();
    const keyId = this.byHash.get(digest.toString('hex'));
    const known = keyId ? this.byId.get(keyId) : undefined;
    if (!known || !timingSafeEqual(known.sha256, digest)) return null;
    return known.brandId;
  }
}
