import { ShopperErasure } from '@app/contracts';
import { Injectable, Logger } from '@nestjs/common';
import { CapsRepository } from '../decisions/caps.repository';
import { DecisionLogRepository } from '../decisions/decision-log.repository';
import { InterestProfileRepository } from '../interests/interest-profile.repository';
import { ShopperStateRepository } from './shopper-state.repository';

/**
 * Forgets a shopper (shopper.erasure.v1): consent and window state, interest profile, the caps
 * counters kept for them under their brand, and their decision log. Offer budgets stay: they count
 * sends, not people.
 */
@Injectable()
export class EraseShopper {
  private readonly logger = new Logger(EraseShopper.name);

  constructor(
    private readonly shoppers: ShopperStateRepository,
    private readonly interests: InterestProfileRepository,
    private readonly caps: CapsRepository,
    private readonly log: DecisionLogRepository,
  ) {}

  async execute(erasure: ShopperErasure): Promise<void> {
    await Promise.all([
      this.shoppers.erase(erasure.brandId, erasure.shopperId),
      this.interests.erase(erasure.brandId, erasure.shopperId),
      this.caps.erase(erasure.brandId, erasure.shopperId),
      this.log.erase(erasure.brandId, erasure.shopperId),
    ]);
    this.logger.log({ shopperId: erasure.shopperId, brandId: erasure.brandId }, 'shopper erased');
  }
}
