import { StoreEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';

@Injectable()
export class StoreRepository {
  constructor(@InjectRepository(StoreEntity) private readonly repo: Repository<StoreEntity>) {}

  async insert(tx: Tx, store: Omit<StoreEntity, 'createdAt' | 'updatedAt'>): Promise<StoreEntity> {
    const repo = tx.getRepository(StoreEntity);
    await repo.insert(store);
    return repo.findOneByOrFail({ id: store.id });
  }

  /** A brand's store; another brand's store is as good as missing. */
  findOfBrand(brandId: string, id: string): Promise<StoreEntity | null> {
    return this.repo.findOne({ where: { brandId, id } });
  }

  async existingIdsOfBrand(brandId: string, ids: string[], tx?: Tx): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await (tx ? tx.getRepository(StoreEntity) : this.repo).find({
      select: { id: true },
      where: { brandId, id: In(ids) },
    });
    return new Set(rows.map((r) => r.id));
  }

  findByExternalId(brandId: string, externalId: string, tx: Tx): Promise<StoreEntity | null> {
    return tx.getRepository(StoreEntity).findOne({ where: { brandId, externalId } });
  }
}
