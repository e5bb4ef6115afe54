import { Topics } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiKeyRepository } from '../auth/api-key.repository';
import { generateApiKey } from '../auth/api-keys';
import { toApiKeyIssued } from '../keys/api-key.events';
import { OutboxWriter } from '../outbox/outbox-writer';
import { TransactionRunner } from '../persistence/transaction-runner';
import { BrandRepository } from './brand.repository';

export interface CreatedBrand {
  id: string;
  name: string;
  /** Shown once, here; only its hash is kept. */
  apiKey: string;
  createdAt: string;
}

@Injectable()
export class CreateBrand {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly brands: BrandRepository,
    private readonly keys: ApiKeyRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  /** The brand and its first key; the key's hash is published (catalog.api-key.v1) for the gateway. */
  async execute(command: { name: string }): Promise<CreatedBrand> {
    const created = await this.tx.run(async (tx) => {
      const brand = await this.brands.insert(tx, { id: randomUUID(), name: command.name });
      const key = generateApiKey();
      const saved = await this.keys.insert(tx, { id: randomUUID(), brandId: brand.id, prefix: key.prefix, keySha256: key.sha256 });
      await this.outbox.append(tx, [this.outbox.event(Topics.ApiKeyCatalog, 'api-key.issued', toApiKeyIssued(saved))]);
      return { id: brand.id, name: brand.name, apiKey: key.key, createdAt: brand.createdAt.toISOString() };
    });
    this.outbox.flush();
    return created;
  }
}
