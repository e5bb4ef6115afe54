import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Pool } from 'pg';

export const GATEWAY_DATABASE_URL = Symbol('GATEWAY_DATABASE_URL');

const CACHE_MS = 30_000;
const NEGATIVE_CACHE_MS = 5_000;

/**
 * Which brand an API key belongs to, read (never written) from brand-api's `api_keys` table by
 * the key's SHA-256: the key itself is never stored or logged. A small in-process cache keeps
 * app traffic off Postgres; a revoked key stops working within CACHE_MS.
 */
@Injectable()
export class BrandKeysRepository implements OnApplicationShutdown {
  private readonly pool: Pool;
  private readonly cache = new Map<string, { brandId: string | null; until: number }>();

  constructor(@Inject(GATEWAY_DATABASE_URL) databaseUrl: string) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 3_000 });
    this.pool.on('error', () => undefined);
  }

  async brandOfKey(apiKey: string, now = Date.now()): Promise<string | null> {
    const sha256 = createHash('sha256').update(apiKey, 'utf8').digest('hex');
    const cached = this.cache.get(sha256);
    if (cached && cached.until > now) return cached.brandId;
    const result = await this.pool.query<{ brand_id: string }>(
      'SELECT brand_id FROM api_keys WHERE key_sha256 = $1 AND revoked_at IS NULL LIMIT 1',
      [sha256],
    );
    const brandId = result.rows[0]?.brand_id ?? null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(sha256, { brandId, until: now + (brandId ? CACHE_MS : NEGATIVE_CACHE_MS) });
    return brandId;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}
