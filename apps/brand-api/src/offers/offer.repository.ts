import type { OfferStatus } from '@app/contracts';
import { OfferEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, In, MoreThan, Repository } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';
import type { OfferColumns } from './offer.view';

@Injectable()
export class OfferRepository {
  constructor(@InjectRepository(OfferEntity) private readonly repo: Repository<OfferEntity>) {}

  async insert(tx: Tx, offer: Omit<OfferEntity, 'createdAt' | 'updatedAt'>): Promise<OfferEntity> {
    const repo = tx.getRepository(OfferEntity);
    await repo.insert(offer);
    return repo.findOneByOrFail({ id: offer.id });
  }

  /** A brand's offer; another brand's offer is as good as missing. */
  findOfBrand(brandId: string, id: string): Promise<OfferEntity | null> {
    return this.repo.findOne({ where: { brandId, id } });
  }

  /** The brand's offer, locked for the rest of the transaction (writes to one offer serialise). */
  lockOfBrand(tx: Tx, brandId: string, id: string): Promise<OfferEntity | null> {
    return tx.getRepository(OfferEntity).findOne({ where: { brandId, id }, lock: { mode: 'pessimistic_write' } });
  }

  async update(tx: Tx, offer: OfferEntity, columns: OfferColumns): Promise<OfferEntity> {
    const repo = tx.getRepository(OfferEntity);
    await repo.update({ id: offer.id }, { ...columns, version: offer.version + 1 });
    return repo.findOneByOrFail({ id: offer.id });
  }

  /**
   * The brand's offers that name a store and can still change (not ended), locked in id order
   * (two store deletions lock shared offers in the same order, so they cannot deadlock).
   */
  async lockNamingStore(tx: Tx, brandId: string, storeId: string): Promise<OfferEntity[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id FROM offers WHERE brand_id = $1 AND store_ids @> ARRAY[$2]::uuid[] AND status <> 'ended' ORDER BY id FOR UPDATE`,
      [brandId, storeId],
    );
    if (rows.length === 0) return [];
    return tx.getRepository(OfferEntity).find({ where: { id: In(rows.map((r) => r.id)) }, order: { id: 'ASC' } });
  }

  async delete(tx: Tx, id: string): Promise<void> {
    await tx.getRepository(OfferEntity).delete({ id });
  }

  /** A page of every brand's offers in id order, locked against changes until the transaction ends. */
  pageAllLocked(tx: Tx, after: string | null, limit: number): Promise<OfferEntity[]> {
    return tx.getRepository(OfferEntity).find({
      where: after ? { id: MoreThan(after) } : {},
      order: { id: 'ASC' },
      take: limit,
      lock: { mode: 'pessimistic_read' },
    });
  }

  list(brandId: string, filter: { after: string | null; limit: number; status?: OfferStatus }): Promise<OfferEntity[]> {
    const where: FindOptionsWhere<OfferEntity> = { brandId };
    if (filter.after) where.id = MoreThan(filter.after);
    if (filter.status) where.status = filter.status;
    return this.repo.find({ where, order: { id: 'ASC' }, take: filter.limit + 1 });
  }
}
