import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiKeyRepository } from '../auth/api-key.repository';
import { generateApiKey } from '../auth/api-keys';
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
  ) {}

  execute(command: { name: string }): Promise<CreatedBrand> {
    return this.tx.run(async (tx) => {
      const brand = await this.brands.insert(tx, { id: randomUUID(), name: command.name });
      const key = generateApiKey();
      await this.keys.insert(tx, { id: randomUUID(), brandId: brand.id, prefix: key.prefix, keySha256: key.sha256 });
      return { id: brand.id, name: brand.name, apiKey: key.key, createdAt: brand.createdAt.toISOString() };
    });
  }
}
