import { ApiKeyEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';

@Injectable()
export class ApiKeyRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly repo: Repository<ApiKeyEntity>) {}

  findActiveBySha256(sha256: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOne({ where: { keySha256: sha256, revokedAt: IsNull() } });
  }

  async insert(tx: Tx, key: Pick<ApiKeyEntity, 'id' | 'brandId' | 'prefix' | 'keySha256'>): Promise<ApiKeyEntity> {
    const repo = tx.getRepository(ApiKeyEntity);
    await repo.insert({ ...key, revokedAt: null });
    return repo.findOneByOrFail({ id: key.id });
  }

  /** Every active key, locked against revocation until the transaction ends (republishing). */
  allActiveLocked(tx: Tx): Promise<ApiKeyEntity[]> {
    return tx.getRepository(ApiKeyEntity).find({ where: { revokedAt: IsNull() }, order: { id: 'ASC' }, lock: { mode: 'pessimistic_read' } });
  }

  listOfBrand(brandId: string): Promise<ApiKeyEntity[]> {
    return this.repo.find({ where: { brandId }, order: { createdAt: 'ASC' } });
  }

  /** The brand's active keys, locked, so two revocations cannot both remove the last one. */
  activeOfBrandLocked(tx: Tx, brandId: string): Promise<ApiKeyEntity[]> {
    return tx.getRepository(ApiKeyEntity).find({ where: { brandId, revokedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
  }

  async revoke(tx: Tx, id: string, at: Date): Promise<void> {
    await tx.getRepository(ApiKeyEntity).update({ id }, { revokedAt: at });
  }
}
