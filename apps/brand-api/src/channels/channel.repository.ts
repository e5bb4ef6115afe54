import { ChannelEntity } from '@app/database';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { Tx } from '../persistence/transaction-runner';

@Injectable()
export class ChannelRepository {
  constructor(@InjectRepository(ChannelEntity) private readonly repo: Repository<ChannelEntity>) {}

  findByBrand(brandId: string, tx?: Tx): Promise<ChannelEntity | null> {
    return (tx ? tx.getRepository(ChannelEntity) : this.repo).findOne({ where: { brandId } });
  }

  findByPage(pageId: string, tx: Tx): Promise<ChannelEntity | null> {
    return tx.getRepository(ChannelEntity).findOne({ where: { pageId }, lock: { mode: 'pessimistic_read' } });
  }

  /** The brand's channel, locked for the rest of the transaction. */
  lockOfBrand(tx: Tx, brandId: string): Promise<ChannelEntity | null> {
    return tx.getRepository(ChannelEntity).findOne({ where: { brandId }, lock: { mode: 'pessimistic_write' } });
  }

  /** The next channel version: rising for every Page, across brands, disconnections and reconnections. */
  async nextVersion(tx: Tx): Promise<number> {
    const [row] = (await tx.query(`SELECT nextval('channel_version_seq')::int AS v`)) as { v: number }[];
    return row.v;
  }

  /** Every channel, locked against changes until the transaction ends (republishing). */
  allLocked(tx: Tx): Promise<ChannelEntity[]> {
    return tx.getRepository(ChannelEntity).find({ order: { brandId: 'ASC' }, lock: { mode: 'pessimistic_read' } });
  }

  async remove(tx: Tx, brandId: string): Promise<void> {
    await tx.getRepository(ChannelEntity).delete({ brandId });
  }

  async save(tx: Tx, channel: Omit<ChannelEntity, 'createdAt' | 'updatedAt'>): Promise<ChannelEntity> {
    const repo = tx.getRepository(ChannelEntity);
    await repo.upsert(channel, ['brandId']);
    return repo.findOneByOrFail({ brandId: channel.brandId });
  }
}
