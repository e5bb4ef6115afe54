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

  async save(tx: Tx, channel: Omit<ChannelEntity, 'createdAt' | 'updatedAt'>): Promise<ChannelEntity> {
    const repo = tx.getRepository(ChannelEntity);
    await repo.upsert(channel, ['brandId']);
    return repo.findOneByOrFail({ brandId: channel.brandId });
  }
}
