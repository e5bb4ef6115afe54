import type { DecisionLogEntry } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { ChannelRepository } from '../channels/channel.repository';
import { shopperOfBrand } from '../shoppers/shopper-of-brand';
import { DecisionLogReader } from './decision-log.reader';

export interface DecisionsView {
  shopperId: string;
  /** Newest first: why each recent visit did or did not lead to a promotion. */
  decisions: DecisionLogEntry[];
}

/** GET /v1/decisions?shopperId=: the engine's recent decisions about one of the brand's shoppers. */
@Injectable()
export class ExplainDecisions {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly log: DecisionLogReader,
  ) {}

  async execute(brandId: string, shopperId: string): Promise<DecisionsView> {
    const shopper = await shopperOfBrand(this.channels, brandId, shopperId);
    const decisions = await this.log.recent(brandId, shopper.shopperId);
    // The log is kept under the brand's key, so every entry is the brand's; checked again in case a log was ever mixed up.
    return { shopperId, decisions: decisions.filter((d) => !d.request || d.request.brandId === brandId) };
  }
}
