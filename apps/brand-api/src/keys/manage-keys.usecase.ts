import { Topics } from '@app/contracts';
import { DomainError, notFound } from '@app/http';
import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiKeyRepository } from '../auth/api-key.repository';
import { generateApiKey } from '../auth/api-keys';
import { Clock } from '../common/clock';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { API_KEY_REVOKED_VERSION, toApiKeyIssued } from './api-key.events';

export interface CreatedApiKey {
  id: string;
  prefix: string;
  /** Shown once, here; only its hash is kept. */
  apiKey: string;
  createdAt: string;
}

/** At most this many active keys per brand: rotation needs two, a few more for separate systems. */
export const MAX_ACTIVE_KEYS = 5;

/**
 * A further key for the brand, so a new one can be deployed before the old one is revoked. Its
 * hash is published on catalog.api-key.v1 (the gateway authenticates apps with it).
 */
@Injectable()
export class CreateApiKey {
  private readonly logger = new Logger(CreateApiKey.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly keys: ApiKeyRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async execute(brandId: string): Promise<CreatedApiKey> {
    const created = await this.tx.run(async (tx) => {
      const active = await this.keys.activeOfBrandLocked(tx, brandId);
      if (active.length >= MAX_ACTIVE_KEYS) {
        throw new DomainError('CONFLICT', `a brand has at most ${MAX_ACTIVE_KEYS} active keys: revoke one first`);
      }
      const key = generateApiKey();
      const id = randomUUID();
      const saved = await this.keys.insert(tx, { id, brandId, prefix: key.prefix, keySha256: key.sha256 });
      await this.outbox.append(tx, [this.outbox.event(Topics.ApiKeyCatalog, 'api-key.issued', toApiKeyIssued(saved))]);
      this.logger.log({ brandId, apiKeyId: id }, 'api key created');
      return { id, prefix: key.prefix, apiKey: key.key, createdAt: saved.createdAt.toISOString() };
    });
    this.outbox.flush();
    return created;
  }
}

/**
 * Revokes one of the brand's keys at once (brand-api checks Postgres; the gateway drops it when
 * the tombstone on catalog.api-key.v1 reaches it, within moments). The last active key cannot be
 * revoked (409).
 */
@Injectable()
export class RevokeApiKey {
  private readonly logger = new Logger(RevokeApiKey.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly keys: ApiKeyRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(brandId: string, keyId: string): Promise<void> {
    await this.tx.run(async (tx) => {
      const active = await this.keys.activeOfBrandLocked(tx, brandId);
      if (!active.some((k) => k.id === keyId)) throw notFound('api key');
      if (active.length === 1) {
        throw new DomainError('CONFLICT', 'this is the brand’s last active key: create another one first', [
          { field: 'id', message: 'last active key' },
        ]);
      }
      await this.keys.revoke(tx, keyId, this.clock.now());
      await this.outbox.append(tx, [
        this.outbox.event(Topics.ApiKeyCatalog, 'api-key.revoked', { keyId, brandId, version: API_KEY_REVOKED_VERSION }),
      ]);
      this.logger.log({ brandId, apiKeyId: keyId }, 'api key revoked');
    });
    this.outbox.flush();
  }
}
