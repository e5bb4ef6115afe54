import { EventOf, Topics } from '@app/contracts';
import { Injectable } from '@nestjs/common';
import { DwellThresholdRepository } from './dwell-threshold.repository';
import { dwellOfferOf } from './dwell-thresholds';

/** Records what an offer change means for dwell thresholds; older versions are ignored. */
@Injectable()
export class ApplyOfferEvent {
  constructor(private readonly thresholds: DwellThresholdRepository) {}

  async execute(event: EventOf<typeof Topics.OfferCatalog>): Promise<void> {
    if (event.type === 'offer.upserted') {
      const offer = event.data;
      await this.thresholds.apply(offer.offerId, offer.brandId, offer.version, dwellOfferOf(offer), false);
    } else {
      await this.thresholds.apply(event.data.offerId, event.data.brandId, event.data.version, null, true);
    }
  }
}
