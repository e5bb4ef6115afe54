import { BrandEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';

@Injectable()
export class BrandRepository {
  constructor(@InjectRepository(BrandEntity) private readonly repo: Repository<BrandEntity>) {}

  async insert(tx: Tx, brand: Pick<BrandEntity, 'id' | 'name'>): Promise<BrandEntity> {
    const repo = tx.getRepository(BrandEntity);
    await repo.insert(brand);
    return repo.findOneByOrFail({ id: brand.id });
  }

  findById(id: string): Promise<BrandEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  /** Sets the brand's quiet hours (null: none) and bumps its settings version, row locked. */
  async saveSettings(tx: Tx, id: string, quietHours: BrandEntity['quietHours']): Promise<BrandEntity> {
    const repo = tx.getRepository(BrandEntity);
    const current = await repo.findOneOrFail({ where: { id }, lock: { mode: 'pessimistic_write' } });
    await repo.update({ id }, { quietHours, quietHoursSet: true, settingsVersion: current.settingsVersion + 1 });
    return repo.findOneByOrFail({ id });
  }

  /** Brands whose settings were ever set, for republishing the catalog. */
  withSettings(tx: Tx): Promise<BrandEntity[]> {
    return tx.getRepository(BrandEntity).find({ where: { settingsVersion: MoreThan(0) } });
  }
}
