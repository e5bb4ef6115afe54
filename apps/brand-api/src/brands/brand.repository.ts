import { BrandEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import type { Tx } from '../persistence/transaction-runner';

@Injectable()
export class BrandRepository {
  async insert(tx: Tx, brand: Pick<BrandEntity, 'id' | 'name'>): Promise<BrandEntity> {
    const repo = tx.getRepository(BrandEntity);
    await repo.insert(brand);
    return repo.findOneByOrFail({ id: brand.id });
  }
}
