import { OfferEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';

@Injectable()
export class OfferRepository {
  constructor(@InjectRepository(OfferEntity) private readonly repo: Repository<OfferEntity>) {}

  async insert(tx: Tx, offer: Omit<OfferEntity, 'createdAt' | 'updatedAt'>): Promise<OfferEntity> {
    const repo = tx.getRepository(OfferEntity);
    await repo.insert(offer);
    return repo.findOneByOrFail({ id: offer.id });
  }

  findOfBrand(brandId: string, id: string): Promise<OfferEntity | null> {
    return this.repo.findOne({ where: { brandId, id } });
  }
}
